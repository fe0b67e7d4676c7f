import { isDeepStrictEqual } from 'node:util'
import type { Decision, OrderFacts, QuoteInput, RuleError } from '#dispatch/types'
import type { Explanation } from '#dispatch/decision/explain'
import { explain } from '#dispatch/decision/explain'
import { decide } from '#dispatch/decision/decide'
import { compileRuleset } from '#dispatch/rules/compiler'
import { validateRuleset } from '#dispatch/rules/validator'

/*
 * "Test this rule on a sample order" from the console: takes a draft (which may
 * be invalid), explains the decision with json-rules-engine and checks that the
 * compiled evaluator, which production would use, decides the same.
 */

export type DryRunResult =
  | { valid: false; errors: RuleError[] }
  | {
      valid: true
      explanation: Explanation
      /** the decision production would record (compiled evaluator) */
      decision: Decision
      /** false would mean a compiler bug: report it, do not publish */
      evaluatorsAgree: boolean
    }

const withoutTiming = (decision: Decision) => ({ ...decision, evaluationMicros: 0 })

export async function dryRun(
  draft: unknown,
  facts: OrderFacts,
  quotes: readonly QuoteInput[],
  version = 'draft'
): Promise<DryRunResult> {
  const validation = validateRuleset(draft)
  if (!validation.valid) return { valid: false, errors: validation.errors }

  const ruleset = compileRuleset(validation.document, version)
  const explanation = await explain(ruleset, facts, quotes)
  const decision = decide(ruleset, facts, quotes)
  const agree = isDeepStrictEqual(
    JSON.parse(JSON.stringify(withoutTiming(decision))),
    JSON.parse(JSON.stringify(withoutTiming(explanation.decision)))
  )
  return { valid: true, explanation, decision, evaluatorsAgree: agree }
}
