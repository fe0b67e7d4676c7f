import type { Decision, OrderFacts, QuoteInput } from '#dispatch/types'
import type { CompiledRuleset } from '#dispatch/rules/compiler'
import { decide, decideWithReference } from '#dispatch/decision/decide'

/** A decision without its timing, which is the only part allowed to differ between runs. */
export function comparable(decision: Decision): Omit<Decision, 'evaluationMicros'> {
  const copy: Partial<Decision> = JSON.parse(JSON.stringify(decision))
  delete copy.evaluationMicros
  return copy as Omit<Decision, 'evaluationMicros'>
}

/**
 * Decides with the compiled ruleset and with json-rules-engine; returns both so
 * scenario tests can check the outcome and that the evaluators agree.
 */
export async function decideBoth(
  ruleset: CompiledRuleset,
  facts: OrderFacts,
  quotes: QuoteInput[]
) {
  const compiled = decide(ruleset, facts, quotes)
  const reference = await decideWithReference(ruleset, facts, quotes)
  return { compiled, reference }
}
