import type { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import DecisionRecord from '#models/decision_record'
import type { Decision, OrderFacts, QuoteInput } from '#dispatch/types'
import { snapshotFacts } from '#dispatch/decision/facts_snapshot'

/*
 * The one way decision records are written. The dispatch pipeline calls it after
 * `decide(active.compiled, facts, quotes)`:
 *
 *   const active = await activeRulesetFor(order.merchantId)
 *   const decision = decide(active.compiled, facts, quotes)
 *   await recordDecision({ orderId, merchantId, attemptNo, rulesetVersionId: active.versionId,
 *                          facts, quotes, decision, client: trx })
 *
 * Facts and quotes go through snapshotFacts, so only catalog fields are stored
 * (no recipient name, phone or address even if a caller passes richer objects)
 * and recipient coordinates are rounded to about 100 m.
 */

export interface RecordDecisionInput {
  orderId: number
  merchantId: number
  /** dispatch_attempts.attempt_no; 1 for the first dispatch */
  attemptNo?: number
  /** null when no stored version decided (a draft) */
  rulesetVersionId: number | null
  facts: OrderFacts
  quotes: readonly QuoteInput[]
  decision: Decision
  /** defaults to now; set when importing history */
  createdAt?: DateTime
  /** write inside the pipeline's transaction */
  client?: TransactionClientContract
}

export async function recordDecision(input: RecordDecisionInput): Promise<DecisionRecord> {
  const snapshot = snapshotFacts(input.facts, input.quotes)
  const { decision } = input
  return DecisionRecord.create(
    {
      orderId: input.orderId,
      attemptNo: input.attemptNo ?? 1,
      merchantId: input.merchantId,
      rulesetVersionId: input.rulesetVersionId,
      rulesetVersionKey: decision.rulesetVersion,
      factsSnapshot: snapshot.facts,
      quotes: snapshot.quotes,
      eventsFired: decision.orderEvents,
      candidates: decision.candidates,
      winnerCarrier: decision.winner?.carrier ?? null,
      winnerAccountId: decision.winner?.accountId ?? null,
      strategy: decision.strategy,
      tipFen: decision.tipFen,
      acceptTimeoutS: decision.acceptTimeoutS,
      evaluationUs: decision.evaluationMicros,
      ...(input.createdAt ? { createdAt: input.createdAt } : {}),
    },
    { client: input.client }
  )
}

/** The latest decision for an order, for facts (weather, time) a dry run cannot rebuild. */
export function latestDecisionFor(orderId: number) {
  return DecisionRecord.query()
    .where('order_id', orderId)
    .orderBy('attempt_no', 'desc')
    .orderBy('id', 'desc')
    .first()
}
