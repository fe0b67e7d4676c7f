import { DateTime } from 'luxon'
import { BaseModel, column, hasMany } from '@adonisjs/lucid/orm'
import type { HasMany } from '@adonisjs/lucid/types/relations'
import Store from '#models/store'

export type MerchantTier = 'standard' | 'vip' | 'key_account'

export default class Merchant extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare name: string

  @column()
  declare code: string

  @column()
  declare tier: MerchantTier

  @column()
  declare status: 'active' | 'suspended'

  @column()
  declare contactPhone: string | null

  @hasMany(() => Store)
  declare stores: HasMany<typeof Store>

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime
}
