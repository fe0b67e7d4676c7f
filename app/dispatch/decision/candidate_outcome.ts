import type { Exclusion, FiredEvent, QuoteFact, ScoreAdjustment } from '#dispatch/types'
import type { OrderOutcome } from '#dispatch/decision/order_outcome'

/*
 * Per-quote outcome. The hub first applies the order-level outcome itself
 * (excluded carriers, required capabilities, fee cap); quotes that survive run
 * the candidate rules, whose first `exclude` (in rule order) wins and whose
 * `adjust-score` deltas add up.
 */

export function hubExclusion(outcome: OrderOutcome, quote: QuoteFact): Exclusion | null {
  const excludedCarrier = outcome.excludedCarriers.get(quote.carrier)
  if (excludedCarrier) return { by: excludedCarrier.rule, reason: excludedCarrier.reason }

  for (const { capability, rule } of outcome.requiredCapabilities) {
    if (!Array.isArray(quote.capabilities) || !quote.capabilities.includes(capability)) {
      return {
        by: 'strategy:require-capability',
        reason: `quote lacks capability "${capability}" required by rule "${rule}"`,
      }
    }
  }

  if (outcome.maxFee && !(quote.fee_fen <= outcome.maxFee.amountFen)) {
    return {
      by: 'strategy:max-fee',
      reason: `fee ${quote.fee_fen} fen is above the cap of ${outcome.maxFee.amountFen} fen set by rule "${outcome.maxFee.rule}"`,
    }
  }
  return null
}

export interface CandidateRuleOutcome {
  exclusion: Exclusion | null
  adjustments: ScoreAdjustment[]
}

/** `bonuses` are the order-level prefer-carrier bonuses for this quote's carrier; they come first. */
export function foldCandidateEvents(
  events: readonly FiredEvent[],
  bonuses: readonly ScoreAdjustment[] = []
): CandidateRuleOutcome {
  let exclusion: Exclusion | null = null
  const adjustments: ScoreAdjustment[] = bonuses.length > 0 ? [...bonuses] : []
  for (const { rule, type, params } of events) {
    if (type === 'exclude') {
      exclusion ??= { by: rule, reason: params.reason as string }
    } else if (type === 'adjust-score') {
      adjustments.push({ by: rule, delta: params.delta as number })
    }
  }
  return { exclusion, adjustments }
}
