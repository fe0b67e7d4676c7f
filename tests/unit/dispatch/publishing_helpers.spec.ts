import { test } from '@japa/runner'
import type { RulesetDocument } from '#dispatch/types'
import { compileRuleset } from '#dispatch/rules/compiler'
import { loadShippedRuleset } from '#dispatch/rules/shipped_rulesets'
import { diffRulesets } from '#dispatch/rules/ruleset_diff'
import { dryRun } from '#dispatch/decision/dry_run'
import { backtest } from '#dispatch/decision/backtest'
import { decide } from '#dispatch/decision/decide'
import { generateDispatchCases } from '#dispatch/generators/dispatch_case_generator'
import { orderFacts, standardQuotes } from '#tests/unit/dispatch/support/dispatch_fixtures'

const defaults = loadShippedRuleset('default')

/** the defaults with the peak-hours rule removed and the tip raised */
function editedDefaults(): RulesetDocument {
  const edited = structuredClone(defaults)
  edited.orderRules = edited.orderRules.filter((rule) => rule.name !== 'peak-hours-speed-first')
  const tip = edited.orderRules.find((rule) => rule.name === 'severe-weather-tip')!
  tip.event.params = { amount_fen: 500 }
  edited.candidateRules.push({
    name: 'avoid-uu',
    priority: 5,
    conditions: { all: [{ fact: 'quote', path: '$.carrier', operator: 'equal', value: 'uu' }] },
    event: { type: 'adjust-score', params: { delta: -50 } },
  })
  return edited
}

test.group('Ruleset diff', () => {
  test('lists added, removed and changed rules by name', ({ assert }) => {
    const diff = diffRulesets(defaults, editedDefaults())
    assert.deepEqual(diff.added, [{ phase: 'candidate', rule: 'avoid-uu' }])
    assert.deepEqual(diff.removed, [{ phase: 'order', rule: 'peak-hours-speed-first' }])
    assert.deepEqual(diff.changed, [
      { phase: 'order', rule: 'severe-weather-tip', parts: ['event'] },
    ])
    assert.equal(diff.unchanged, defaults.orderRules.length + defaults.candidateRules.length - 2)
    assert.isFalse(diff.reordered)
    assert.isFalse(diff.nameChanged)
  })

  test('notices a change of order among unchanged rules', ({ assert }) => {
    const reordered = structuredClone(defaults)
    reordered.orderRules.reverse()
    const diff = diffRulesets(defaults, reordered)
    assert.isTrue(diff.reordered)
    assert.lengthOf(diff.changed, 0)
  })
})

test.group('Dry run', () => {
  test('returns pointed errors for an invalid draft', async ({ assert }) => {
    const draft = structuredClone(defaults) as unknown as {
      orderRules: Array<{ priority: unknown }>
    }
    draft.orderRules[0].priority = 0
    const result = await dryRun(draft, orderFacts(), standardQuotes())
    assert.isFalse(result.valid)
    if (!result.valid) assert.equal(result.errors[0].pointer, '/orderRules/0/priority')
  })

  test('explains a valid draft and checks both evaluators agree', async ({ assert }) => {
    const result = await dryRun(
      JSON.stringify(editedDefaults()),
      orderFacts({ weather: { condition: 'snow' } }),
      standardQuotes()
    )
    assert.isTrue(result.valid)
    if (!result.valid) return
    assert.isTrue(result.evaluatorsAgree)
    assert.equal(result.decision.tipFen, 700)
    assert.equal(result.decision.rulesetVersion, 'draft')
    assert.equal(result.explanation.decision.winner?.carrier, result.decision.winner?.carrier)
  })
})

test.group('Backtest', () => {
  const cases = generateDispatchCases(99, 2000).map(({ facts, quotes }) => ({
    key: facts.order.id,
    facts,
    quotes,
  }))

  test('against a baseline ruleset, reports changed winners and fees', ({ assert }) => {
    const baseline = compileRuleset(defaults)
    const proposal = compileRuleset(editedDefaults())
    const summary = backtest(proposal, cases, { baseline, maxChanges: 10 })
    assert.equal(summary.orders, 2000)
    assert.equal(summary.compared, 2000)
    assert.isAbove(summary.changed, 0)
    assert.lengthOf(summary.changes, 10)
    // the proposal penalises UU by 50 points: it wins far less often
    assert.isBelow(summary.winsAfter.uu ?? 0, (summary.winsBefore.uu ?? 0) / 2)
    const [first] = summary.changes
    const replay = decide(
      proposal,
      cases.find((item) => item.key === first.key)!.facts,
      cases.find((item) => item.key === first.key)!.quotes
    )
    assert.equal(replay.winner?.carrier, first.after?.carrier)

    const identical = backtest(baseline, cases, { baseline })
    assert.equal(identical.changed, 0)
    assert.equal(identical.feeFenBefore, identical.feeFenAfter)
  })

  test('against the recorded winners when there is no baseline', ({ assert }) => {
    const ruleset = compileRuleset(defaults)
    const recorded = cases.slice(0, 100).map((item) => ({
      ...item,
      actual: { carrier: item.quotes[0].quote.carrier, accountId: item.quotes[0].quote.account_id },
    }))
    const summary = backtest(ruleset, [...recorded, { ...cases[100], actual: undefined }])
    assert.equal(summary.orders, 101)
    assert.equal(summary.compared, 100)
    assert.equal(summary.noWinnerBefore, 0)
    assert.isAbove(summary.changed, 0)
    assert.isBelow(summary.changed, 100)
  })
})
