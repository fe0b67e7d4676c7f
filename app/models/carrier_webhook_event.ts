import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import type { NormalizedEvent } from '#sdk/contract'

const json = {
  prepare: (value: unknown) => JSON.stringify(value),
  consume: (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value),
}

/** One verified carrier callback event, waiting for (or done with) processing. */
export default class CarrierWebhookEvent extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare carrierAccountId: number

  @column()
  declare pluginId: string

  @column()
  declare eventId: string

  @column()
  declare carrierOrderId: string

  @column()
  declare status: string

  @column()
  declare carrierStatus: string

  @column.dateTime()
  declare occurredAt: DateTime

  @column.dateTime()
  declare receivedAt: DateTime

  @column(json)
  declare event: NormalizedEvent

  @column()
  declare rawBody: string

  @column(json)
  declare headers: Record<string, string>

  @column.dateTime()
  declare processedAt: DateTime | null
}
