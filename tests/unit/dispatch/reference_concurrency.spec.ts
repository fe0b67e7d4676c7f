import { test } from '@japa/runner'
import { compileRuleset } from '#dispatch/rules/compiler'
import { loadShippedRuleset } from '#dispatch/rules/shipped_rulesets'
import { decide, decideWithReference } from '#dispatch/decision/decide'
import { explain } from '#dispatch/decision/explain'
import { generateDispatchCases } from '#dispatch/generators/dispatch_case_generator'
import { comparable } from '#tests/unit/dispatch/support/decide_both'

/*
 * json-rules-engine keeps run state on the Engine, so overlapping runs on one
 * Engine interfere (upstream issue #303). The reference path builds a new Engine
 * per run; these tests overlap hundreds of runs and expect sequential results.
 */

const ruleset = compileRuleset(loadShippedRuleset('default'))
const cases = generateDispatchCases(303, 300)

test.group('Reference engine | concurrent runs', () => {
  test('300 decisions in one Promise.all equal the same decisions run one by one', async ({
    assert,
  }) => {
    const sequential = []
    for (const { facts, quotes } of cases)
      sequential.push(comparable(await decideWithReference(ruleset, facts, quotes)))

    const concurrent = await Promise.all(
      cases.map(async ({ facts, quotes }) =>
        comparable(await decideWithReference(ruleset, facts, quotes))
      )
    )
    assert.deepEqual(concurrent, sequential)
    assert.deepEqual(
      concurrent,
      cases.map(({ facts, quotes }) => comparable(decide(ruleset, facts, quotes)))
    )
    // sanity: the cases do not all decide the same way
    assert.isAbove(
      new Set(concurrent.map((decision) => decision.winner?.carrier ?? 'none')).size,
      3
    )
  })

  test('explanations can run concurrently with decisions and agree with them', async ({
    assert,
  }) => {
    const slice = cases.slice(0, 60)
    const [explanations, decisions] = await Promise.all([
      Promise.all(slice.map(({ facts, quotes }) => explain(ruleset, facts, quotes))),
      Promise.all(slice.map(({ facts, quotes }) => decideWithReference(ruleset, facts, quotes))),
    ])
    assert.deepEqual(
      explanations.map((explanation) => comparable(explanation.decision)),
      decisions.map(comparable)
    )
  })
})
