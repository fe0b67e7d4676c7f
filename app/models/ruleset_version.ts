import { DateTime } from 'luxon'
import { BaseModel, beforeSave, column } from '@adonisjs/lucid/orm'
import type { RulesetDocument } from '#dispatch/types'

const jsonDocument = {
  prepare: (value: RulesetDocument) => JSON.stringify(value),
  consume: (value: string | RulesetDocument) =>
    typeof value === 'string' ? (JSON.parse(value) as RulesetDocument) : value,
}

/**
 * A published ruleset version. Decision records point at it and backtests replay
 * it, so it never changes once written: updates are refused here, and a new
 * publish always creates the next number.
 */
export default class RulesetVersion extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare rulesetId: number

  @column()
  declare version: number

  @column(jsonDocument)
  declare document: RulesetDocument

  @column()
  declare contentHash: string

  @column()
  declare publishedBy: number | null

  @column()
  declare publishedByLabel: string

  @column.dateTime()
  declare publishedAt: DateTime

  @column()
  declare note: string | null

  @beforeSave()
  static refuseUpdates(version: RulesetVersion) {
    if (version.$isPersisted) {
      throw new Error(`Ruleset version ${version.id} is published and immutable`)
    }
  }
}
