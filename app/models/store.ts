import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

export default class Store extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare merchantId: number

  @column()
  declare code: string

  @column()
  declare name: string

  @column()
  declare address: string

  @column()
  declare city: string

  /** GCJ-02 */
  @column()
  declare lat: number

  /** GCJ-02 */
  @column()
  declare lng: number

  @column()
  declare contactName: string

  @column()
  declare contactPhone: string

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime
}
