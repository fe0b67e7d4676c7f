import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

/**
 * Credentials with one carrier. `secrets` holds ciphertext only; the account
 * service is the one place that encrypts and decrypts it.
 */
export default class CarrierAccount extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare pluginId: string

  @column()
  declare name: string

  /** Null: a platform-wide account usable for every merchant. */
  @column()
  declare merchantId: number | null

  @column()
  declare storeId: number | null

  @column()
  declare city: string | null

  @column({ consume: (value: unknown) => Boolean(value) })
  declare enabled: boolean

  /** The non-secret settings. */
  @column({
    prepare: (value: Record<string, unknown>) => JSON.stringify(value),
    consume: (value: string | Record<string, unknown>) =>
      typeof value === 'string' ? JSON.parse(value) : value,
  })
  declare config: Record<string, unknown>

  /** Encrypted JSON of the secret settings (never serialized). */
  @column({ serializeAs: null })
  declare secrets: string | null

  @column.dateTime()
  declare lastTestAt: DateTime | null

  @column({ consume: (value: unknown) => (value === null ? null : Boolean(value)) })
  declare lastTestOk: boolean | null

  @column()
  declare lastTestLatencyMs: number | null

  @column()
  declare lastTestError: string | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @column.dateTime()
  declare deletedAt: DateTime | null
}
