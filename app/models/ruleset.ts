import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

export const GLOBAL_SCOPE_KEY = 'global'

/** The scope key of a merchant's override: one override per merchant. */
export function merchantScopeKey(merchantId: number) {
  return `merchant:${merchantId}`
}

/**
 * A dispatch ruleset: the global one or a merchant override. The draft is stored
 * as the JSON text the admin saved (it may not validate yet); published versions
 * live in ruleset_versions.
 */
export default class Ruleset extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare scopeKey: string

  @column()
  declare merchantId: number | null

  @column()
  declare name: string

  @column()
  declare draftDocument: string

  @column()
  declare draftUpdatedBy: number | null

  @column.dateTime()
  declare draftUpdatedAt: DateTime | null

  @column()
  declare activeVersionId: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  get isGlobal() {
    return this.scopeKey === GLOBAL_SCOPE_KEY
  }

  /** The draft as a value; always a JSON object (the service refuses anything else). */
  get draft(): Record<string, unknown> {
    return JSON.parse(this.draftDocument)
  }
}
