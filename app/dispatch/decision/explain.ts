import type {
  CandidateDecision,
  Decision,
  Exclusion,
  OrderFacts,
  QuoteInput,
} from '#dispatch/types'
import type { CompiledRuleset } from '#dispatch/rules/compiler'
import type { RuleTrace } from '#dispatch/rules/condition_trace'
import { traceRule } from '#dispatch/rules/condition_trace'
import {
  runReferenceCandidateRules,
  runReferenceOrderRules,
} from '#dispatch/rules/reference_engine'
import type { OrderOutcome } from '#dispatch/decision/order_outcome'
import {
  assembleDecisionDetailed,
  assertOrderFacts,
  candidateFacts,
  planCandidates,
} from '#dispatch/decision/decision_assembly'

/*
 * explain: the decision as json-rules-engine makes it, with every rule's
 * condition trace for the order and for each quote, and sentences for people.
 * Candidate rules are traced for every quote, including quotes the hub excluded
 * before running them: the decision ignores those runs (as decide does), but an
 * admin testing a rule wants to see what it would have done.
 */

export interface CandidateExplanation {
  carrier: string
  accountId: string
  rank: number | null
  score: number | null
  excluded: Exclusion | null
  /** false when the hub excluded the quote first and these traces are informational */
  rulesApplied: boolean
  rules: RuleTrace[]
  summary: string
}

export interface Explanation {
  decision: Decision
  orderRules: RuleTrace[]
  candidates: CandidateExplanation[]
  summary: string[]
}

function describeOutcome(outcome: OrderOutcome): string[] {
  const lines = [
    outcome.strategyRule
      ? `Strategy ${outcome.strategy}, set by rule "${outcome.strategyRule}".`
      : `Strategy ${outcome.strategy} (default: no rule set one).`,
  ]
  if (outcome.tipFen > 0) lines.push(`Tip ${outcome.tipFen} fen added by order rules.`)
  if (outcome.maxFee)
    lines.push(`Fee cap ${outcome.maxFee.amountFen} fen from rule "${outcome.maxFee.rule}".`)
  for (const { capability, rule } of outcome.requiredCapabilities) {
    lines.push(`Capability "${capability}" required by rule "${rule}".`)
  }
  for (const [carrier, { rule }] of outcome.excludedCarriers) {
    lines.push(`Carrier ${carrier} excluded by rule "${rule}".`)
  }
  lines.push(`Accept timeout ${outcome.acceptTimeoutS} s.`)
  return lines
}

function describeCandidate(
  candidate: CandidateDecision,
  winner: CandidateDecision | undefined
): string {
  const who = `${candidate.carrier}/${candidate.accountId}`
  if (candidate.excluded)
    return `${who} excluded by ${candidate.excluded.by}: ${candidate.excluded.reason}.`
  const adjustments = candidate.adjustments.length
    ? ` (base ${candidate.baseScore}, ${candidate.adjustments
        .map(
          (adjustment) =>
            `${adjustment.delta > 0 ? '+' : ''}${adjustment.delta} from "${adjustment.by}"`
        )
        .join(', ')})`
    : ''
  if (candidate.rank === 1) return `${who} wins with score ${candidate.score}${adjustments}.`
  const behind =
    winner && winner.score !== null && candidate.score !== null
      ? `, ${Math.round((winner.score - candidate.score) * 10_000) / 10_000} points behind the winner`
      : ''
  return `${who} ranks ${candidate.rank} with score ${candidate.score}${adjustments}${behind}.`
}

export async function explain(
  ruleset: CompiledRuleset,
  facts: OrderFacts,
  quotes: readonly QuoteInput[]
): Promise<Explanation> {
  const startedAt = performance.now()
  assertOrderFacts(facts)
  const orderRun = await runReferenceOrderRules(ruleset, facts)
  const plan = planCandidates(orderRun.events, quotes)
  const candidateRuns = await Promise.all(
    quotes.map((input) =>
      runReferenceCandidateRules(ruleset, candidateFacts(facts, input, plan.decisionFact))
    )
  )
  const { decision, candidatesByInput } = assembleDecisionDetailed(
    ruleset.version,
    orderRun.events,
    plan,
    quotes,
    candidateRuns.map((run, index) => (plan.hubExclusions[index] ? null : run.events)),
    Math.round((performance.now() - startedAt) * 10_000) / 10
  )

  const winner = decision.candidates.find((candidate) => candidate.rank === 1)
  const candidates = quotes.map((_, index): CandidateExplanation => {
    const candidate = candidatesByInput[index]
    return {
      carrier: candidate.carrier,
      accountId: candidate.accountId,
      rank: candidate.rank,
      score: candidate.score,
      excluded: candidate.excluded,
      rulesApplied: plan.hubExclusions[index] === null,
      rules: candidateRuns[index].results.map(traceRule),
      summary: describeCandidate(candidate, winner),
    }
  })

  const summary = [
    ...describeOutcome(plan.outcome),
    ...(winner ? [] : ['No eligible carrier: every quote was excluded.']),
    ...decision.candidates.map((candidate) => describeCandidate(candidate, winner)),
  ]

  return { decision, orderRules: orderRun.results.map(traceRule), candidates, summary }
}
