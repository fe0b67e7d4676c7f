import type {
  CandidateDecision,
  CandidateFacts,
  Decision,
  DecisionFact,
  Exclusion,
  FiredEvent,
  OrderFacts,
  QuoteInput,
} from '#dispatch/types'
import type { OrderOutcome } from '#dispatch/decision/order_outcome'
import { foldOrderEvents, toDecisionFact } from '#dispatch/decision/order_outcome'
import { foldCandidateEvents, hubExclusion } from '#dispatch/decision/candidate_outcome'
import type { RankingKey } from '#dispatch/decision/strategies'
import { baseScores, compareForRanking, roundScore } from '#dispatch/decision/strategies'
import { factsForPhase } from '#dispatch/rules/fact_catalog'

/*
 * The evaluator-independent part of a decision. Both the compiled and the
 * reference path call these in the same order with the events their evaluator
 * produced, so any difference between their decisions comes from rule
 * evaluation alone.
 */

const ORDER_FACT_NAMES = factsForPhase('order').map((fact) => fact.name)

export class MissingFactError extends Error {
  constructor(public readonly fact: string) {
    super(`Fact "${fact}" is missing: every dispatch needs ${ORDER_FACT_NAMES.join(', ')}`)
    this.name = 'MissingFactError'
  }
}

/*
 * json-rules-engine throws on a fact that was never supplied while the compiled
 * path would read undefined, so both paths insist on complete facts up front.
 */
export function assertOrderFacts(facts: OrderFacts): void {
  for (const name of ORDER_FACT_NAMES) {
    if (!(name in facts)) throw new MissingFactError(name)
  }
}

export interface CandidatePlan {
  outcome: OrderOutcome
  decisionFact: DecisionFact
  /** per quote: excluded by the order-level outcome (no candidate rules run) or null */
  hubExclusions: Array<Exclusion | null>
}

export function planCandidates(
  orderEvents: readonly FiredEvent[],
  quotes: readonly QuoteInput[]
): CandidatePlan {
  const outcome = foldOrderEvents(orderEvents)
  return {
    outcome,
    decisionFact: toDecisionFact(outcome),
    hubExclusions: quotes.map(({ quote }) => hubExclusion(outcome, quote)),
  }
}

export function candidateFacts(
  facts: OrderFacts,
  input: QuoteInput,
  decision: DecisionFact
): CandidateFacts {
  return {
    order: facts.order,
    merchant: facts.merchant,
    store: facts.store,
    weather: facts.weather,
    time: facts.time,
    quote: input.quote,
    carrier: input.carrier,
    decision,
  }
}

export interface AssembledDecision {
  decision: Decision
  /** the decision's candidates in the order the quotes were given */
  candidatesByInput: CandidateDecision[]
}

export function assembleDecision(
  rulesetVersion: string,
  orderEvents: FiredEvent[],
  plan: CandidatePlan,
  quotes: readonly QuoteInput[],
  candidateEvents: ReadonlyArray<readonly FiredEvent[] | null>,
  evaluationMicros: number
): Decision {
  return assembleDecisionDetailed(
    rulesetVersion,
    orderEvents,
    plan,
    quotes,
    candidateEvents,
    evaluationMicros
  ).decision
}

export function assembleDecisionDetailed(
  rulesetVersion: string,
  orderEvents: FiredEvent[],
  plan: CandidatePlan,
  quotes: readonly QuoteInput[],
  candidateEvents: ReadonlyArray<readonly FiredEvent[] | null>,
  evaluationMicros: number
): AssembledDecision {
  const { outcome } = plan
  const candidates: CandidateDecision[] = []
  const eligible: RankingKey[] = []

  for (const [inputIndex, { quote, carrier }] of quotes.entries()) {
    const candidate: CandidateDecision = {
      carrier: quote.carrier,
      accountId: quote.account_id,
      feeFen: quote.fee_fen,
      etaS: quote.pickup_eta_s + quote.dropoff_eta_s,
      baseScore: null,
      score: null,
      adjustments: [],
      excluded: plan.hubExclusions[inputIndex],
      rank: null,
    }
    candidates.push(candidate)
    const events = candidateEvents[inputIndex]
    if (candidate.excluded || !events) continue

    const ruleOutcome = foldCandidateEvents(events, outcome.carrierBonuses.get(quote.carrier))
    candidate.excluded = ruleOutcome.exclusion
    if (candidate.excluded) continue
    candidate.adjustments = ruleOutcome.adjustments
    eligible.push({
      candidate,
      rating: carrier.rating,
      acceptanceRate: carrier.acceptance_rate,
      inputIndex,
    })
  }

  const scores = baseScores(outcome.strategy, outcome.weights, eligible)
  for (const [index, { candidate }] of eligible.entries()) {
    let score = scores[index]
    for (const adjustment of candidate.adjustments) score += adjustment.delta
    candidate.baseScore = roundScore(scores[index])
    candidate.score = roundScore(score)
  }
  eligible.sort(compareForRanking(outcome.strategy))

  const ordered: CandidateDecision[] = []
  for (const [index, element] of eligible.entries()) {
    element.candidate.rank = index + 1
    ordered.push(element.candidate)
  }
  for (const candidate of candidates) if (candidate.rank === null) ordered.push(candidate)
  const winner = eligible.length > 0 ? eligible[0].candidate : null

  const decision: Decision = {
    rulesetVersion,
    strategy: outcome.strategy,
    tipFen: outcome.tipFen,
    maxFeeFen: outcome.maxFee ? outcome.maxFee.amountFen : null,
    acceptTimeoutS: outcome.acceptTimeoutS,
    requiredCapabilities: plan.decisionFact.required_capabilities,
    orderEvents,
    candidates: ordered,
    winner: winner ? { carrier: winner.carrier, accountId: winner.accountId } : null,
    evaluationMicros,
  }
  if (outcome.weights) decision.weights = outcome.weights
  return { decision, candidatesByInput: candidates }
}
