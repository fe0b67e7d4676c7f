import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

export default class ApiKey extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare merchantId: number

  @column()
  declare name: string

  /** The first characters of the key, safe to show. */
  @column()
  declare prefix: string

  @column({ serializeAs: null })
  declare secretHash: string

  @column()
  declare createdByUserId: number | null

  @column.dateTime()
  declare lastUsedAt: DateTime | null

  @column.dateTime()
  declare revokedAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  get isActive() {
    return this.revokedAt === null
  }
}
