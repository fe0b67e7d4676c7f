import type { CandidateFacts, Decision, FiredEvent, OrderFacts, QuoteInput } from '#dispatch/types'
import type { CompiledRuleset } from '#dispatch/rules/compiler'
import {
  runReferenceCandidateRules,
  runReferenceOrderRules,
} from '#dispatch/rules/reference_engine'
import {
  assembleDecision,
  assertOrderFacts,
  candidateFacts,
  planCandidates,
} from '#dispatch/decision/decision_assembly'

/*
 * decide: the hot path, synchronous, on the compiled ruleset.
 * decideWithReference: the same decision through json-rules-engine Engine#run;
 * slower, used for dry runs, explanations and to keep the compiler honest.
 */

const elapsedMicros = (startedAt: number) =>
  Math.round((performance.now() - startedAt) * 10_000) / 10

export function decide(
  ruleset: CompiledRuleset,
  facts: OrderFacts,
  quotes: readonly QuoteInput[]
): Decision {
  const startedAt = performance.now()
  assertOrderFacts(facts)
  const orderEvents = ruleset.evaluateOrder(facts)
  const plan = planCandidates(orderEvents, quotes)
  // evaluation is synchronous and keeps no reference to its facts, so one
  // facts object serves every quote in turn
  let perQuote: CandidateFacts | undefined
  const candidateEvents = new Array<FiredEvent[] | null>(quotes.length)
  for (const [index, input] of quotes.entries()) {
    if (plan.hubExclusions[index]) {
      candidateEvents[index] = null
      continue
    }
    if (perQuote) {
      perQuote.quote = input.quote
      perQuote.carrier = input.carrier
    } else {
      perQuote = candidateFacts(facts, input, plan.decisionFact)
    }
    candidateEvents[index] = ruleset.evaluateCandidate(perQuote)
  }
  return assembleDecision(
    ruleset.version,
    orderEvents,
    plan,
    quotes,
    candidateEvents,
    elapsedMicros(startedAt)
  )
}

export async function decideWithReference(
  ruleset: CompiledRuleset,
  facts: OrderFacts,
  quotes: readonly QuoteInput[]
): Promise<Decision> {
  const startedAt = performance.now()
  assertOrderFacts(facts)
  const orderRun = await runReferenceOrderRules(ruleset, facts)
  const plan = planCandidates(orderRun.events, quotes)
  const candidateEvents = await Promise.all(
    quotes.map(async (input, index): Promise<FiredEvent[] | null> => {
      if (plan.hubExclusions[index]) return null
      const run = await runReferenceCandidateRules(
        ruleset,
        candidateFacts(facts, input, plan.decisionFact)
      )
      return run.events
    })
  )
  return assembleDecision(
    ruleset.version,
    orderRun.events,
    plan,
    quotes,
    candidateEvents,
    elapsedMicros(startedAt)
  )
}
