import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

export default class IdempotencyKey extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare scope: string

  @column()
  declare key: string

  @column()
  declare method: string

  @column()
  declare path: string

  @column()
  declare requestHash: string

  @column()
  declare state: 'in_flight' | 'completed'

  @column()
  declare responseStatus: number | null

  @column()
  declare responseBody: string | null

  @column.dateTime()
  declare lockedUntil: DateTime

  @column.dateTime()
  declare expiresAt: DateTime

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime
}
