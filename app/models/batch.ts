import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

export default class Batch extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare merchantId: number

  @column()
  declare source: 'api' | 'csv'

  @column()
  declare total: number

  @column()
  declare accepted: number

  @column()
  declare rejected: number

  /** received: orders stored, dispatch not started yet */
  @column()
  declare status: 'received' | 'dispatching' | 'completed'

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime
}
