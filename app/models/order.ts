import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Store from '#models/store'
import type { OrderCategory, OrderStatus } from '#services/order_status'

const jsonArray = {
  prepare: (value: string[]) => JSON.stringify(value ?? []),
  consume: (value: string | string[] | null) =>
    typeof value === 'string' ? JSON.parse(value) : (value ?? []),
}

export default class Order extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare merchantId: number

  @column()
  declare storeId: number

  @column()
  declare batchId: number | null

  @column()
  declare channel: string

  @column()
  declare externalId: string

  @column()
  declare recipientName: string

  @column()
  declare recipientPhone: string

  @column()
  declare recipientAddress: string

  @column()
  declare recipientCity: string

  @column()
  declare recipientLat: number

  @column()
  declare recipientLng: number

  @column()
  declare itemsSummary: string

  @column()
  declare itemCount: number

  @column()
  declare weightG: number

  @column()
  declare declaredValueFen: number

  @column()
  declare category: OrderCategory

  @column(jsonArray)
  declare tags: string[]

  @column.dateTime()
  declare windowStart: DateTime | null

  @column.dateTime()
  declare windowEnd: DateTime | null

  @column()
  declare notes: string | null

  @column()
  declare status: OrderStatus

  @column()
  declare cancelReason: string | null

  @column.dateTime()
  declare cancelledAt: DateTime | null

  @belongsTo(() => Store)
  declare store: BelongsTo<typeof Store>

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime
}
