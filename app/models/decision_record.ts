import { DateTime } from 'luxon'
import { BaseModel, beforeSave, column } from '@adonisjs/lucid/orm'
import type {
  CandidateDecision,
  FiredEvent,
  OrderFacts,
  QuoteInput,
  StrategyName,
} from '#dispatch/types'

const json = {
  prepare: (value: unknown) => JSON.stringify(value),
  consume: (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value),
}

/**
 * What the hub decided for one dispatch attempt and on which facts: the audit
 * trail of a dispatch and the input of every backtest. Append-only.
 */
export default class DecisionRecord extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare orderId: number

  @column()
  declare attemptNo: number

  @column()
  declare merchantId: number

  @column()
  declare rulesetVersionId: number | null

  @column()
  declare rulesetVersionKey: string

  /** masked by snapshotFacts: catalog fields only, coordinates rounded */
  @column(json)
  declare factsSnapshot: OrderFacts

  @column(json)
  declare quotes: QuoteInput[]

  @column(json)
  declare eventsFired: FiredEvent[]

  @column(json)
  declare candidates: CandidateDecision[]

  @column()
  declare winnerCarrier: string | null

  @column()
  declare winnerAccountId: string | null

  @column()
  declare strategy: StrategyName

  @column()
  declare tipFen: number

  @column()
  declare acceptTimeoutS: number

  @column()
  declare evaluationUs: number

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @beforeSave()
  static refuseUpdates(record: DecisionRecord) {
    if (record.$isPersisted) throw new Error(`Decision record ${record.id} is append-only`)
  }
}
