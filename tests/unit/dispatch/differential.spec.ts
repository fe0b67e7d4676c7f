import { test } from '@japa/runner'
import { isDeepStrictEqual } from 'node:util'
import type { Decision, OrderFacts, QuoteInput } from '#dispatch/types'
import type { CompiledRuleset } from '#dispatch/rules/compiler'
import { compileRuleset } from '#dispatch/rules/compiler'
import { validateRuleset } from '#dispatch/rules/validator'
import { loadShippedRuleset } from '#dispatch/rules/shipped_rulesets'
import { decide, decideWithReference } from '#dispatch/decision/decide'
import { RulesetGenerator } from '#dispatch/generators/ruleset_generator'
import { SeededRandom } from '#dispatch/generators/random'
import { distortFacts, generateDispatchCases } from '#dispatch/generators/dispatch_case_generator'
import { comparable } from '#tests/unit/dispatch/support/decide_both'

/*
 * The compiled evaluator must decide exactly like json-rules-engine Engine#run.
 * Seeds are fixed so a failure can be replayed; the message names the ruleset
 * and the order that differ.
 */

const RULESETS = 250
const ORDERS_PER_RULESET = 40
const QUOTES_PER_ORDER = 5

type Outcome = ReturnType<typeof comparable> | { threw: string }

function compiledOutcome(
  ruleset: CompiledRuleset,
  facts: OrderFacts,
  quotes: QuoteInput[]
): Outcome {
  try {
    return comparable(decide(ruleset, facts, quotes))
  } catch (error) {
    return { threw: (error as Error).constructor.name }
  }
}

async function referenceOutcome(
  ruleset: CompiledRuleset,
  facts: OrderFacts,
  quotes: QuoteInput[]
): Promise<Outcome> {
  try {
    return comparable(await decideWithReference(ruleset, facts, quotes))
  } catch (error) {
    return { threw: (error as Error).constructor.name }
  }
}

function describeMismatch(label: string, compiled: Outcome, reference: Outcome): string {
  return `${label}\n  compiled:  ${JSON.stringify(compiled).slice(0, 400)}\n  reference: ${JSON.stringify(reference).slice(0, 400)}`
}

test.group('Differential | compiled vs json-rules-engine', () => {
  test('10,000 generated orders × 5 quotes over 250 random rulesets decide identically', async ({
    assert,
  }) => {
    const generator = new RulesetGenerator(20240601)
    const cases = generateDispatchCases(7, RULESETS * ORDERS_PER_RULESET, QUOTES_PER_ORDER)
    const mismatches: string[] = []
    const seen = {
      strategies: new Set<string>(),
      exclusions: new Set<string>(),
      noWinner: 0,
      adjusted: 0,
      tipped: 0,
    }

    for (let index = 0; index < RULESETS; index++) {
      const document = generator.generate(`random-${index}`)
      const validation = validateRuleset(document)
      assert.isTrue(
        validation.valid,
        `generated ruleset ${index} is invalid: ${JSON.stringify(validation.errors)}`
      )
      const ruleset = compileRuleset(document)

      for (const { facts, quotes } of cases.slice(
        index * ORDERS_PER_RULESET,
        (index + 1) * ORDERS_PER_RULESET
      )) {
        const compiled = compiledOutcome(ruleset, facts, quotes)
        const reference = await referenceOutcome(ruleset, facts, quotes)
        if (!isDeepStrictEqual(compiled, reference)) {
          if (mismatches.length < 5) {
            mismatches.push(
              describeMismatch(`ruleset ${index}, order ${facts.order.id}`, compiled, reference)
            )
          } else mismatches.push('…')
          continue
        }
        const decision = compiled as Omit<Decision, 'evaluationMicros'>
        seen.strategies.add(decision.strategy)
        for (const candidate of decision.candidates) {
          if (candidate.excluded) seen.exclusions.add(candidate.excluded.by.replace(/-\d+$/, ''))
          if (candidate.adjustments.length > 0) seen.adjusted++
        }
        if (!decision.winner) seen.noWinner++
        if (decision.tipFen > 0) seen.tipped++
      }
    }

    assert.deepEqual(mismatches, [])
    // the generated cases exercise every kind of outcome, so agreement means something
    assert.sameMembers(
      [...seen.strategies],
      ['cost-first', 'speed-first', 'rating-first', 'weighted']
    )
    assert.includeMembers(
      [...seen.exclusions],
      ['order', 'candidate', 'strategy:max-fee', 'strategy:require-capability']
    )
    assert.isAbove(seen.noWinner, 100)
    assert.isAbove(seen.adjusted, 1000)
    assert.isAbove(seen.tipped, 1000)
  }).timeout(120_000)

  test('damaged facts (missing, null, wrong types) give the same decisions or the same failures', async ({
    assert,
  }) => {
    const generator = new RulesetGenerator(77)
    const random = new SeededRandom(78)
    const cases = generateDispatchCases(79, 2000, QUOTES_PER_ORDER)
    const mismatches: string[] = []
    let failures = 0
    for (let index = 0; index < 50; index++) {
      const ruleset = compileRuleset(generator.generate(`damaged-${index}`))
      for (const { facts, quotes } of cases.slice(index * 40, (index + 1) * 40)) {
        const damaged = distortFacts(random, facts)
        const compiled = compiledOutcome(ruleset, damaged, quotes)
        const reference = await referenceOutcome(ruleset, damaged, quotes)
        if ('threw' in compiled) failures++
        if (!isDeepStrictEqual(compiled, reference)) {
          mismatches.push(
            describeMismatch(`ruleset ${index}, order ${facts.order.id}`, compiled, reference)
          )
        }
      }
    }
    assert.deepEqual(mismatches.slice(0, 5), [])
    // `in` against a missing list throws inside json-rules-engine; the compiled path must too
    assert.isAbove(failures, 10)
  }).timeout(60_000)

  test('shipped rulesets over 2,000 generated orders decide identically', async ({ assert }) => {
    const cases = generateDispatchCases(2024, 2000, QUOTES_PER_ORDER)
    for (const name of ['default', 'merchant_preference'] as const) {
      const ruleset = compileRuleset(loadShippedRuleset(name))
      const mismatches: string[] = []
      for (const { facts, quotes } of cases) {
        const compiled = compiledOutcome(ruleset, facts, quotes)
        const reference = await referenceOutcome(ruleset, facts, quotes)
        if (!isDeepStrictEqual(compiled, reference)) {
          mismatches.push(describeMismatch(`${name}, order ${facts.order.id}`, compiled, reference))
        }
      }
      assert.deepEqual(mismatches.slice(0, 5), [], name)
    }
  }).timeout(60_000)
})
