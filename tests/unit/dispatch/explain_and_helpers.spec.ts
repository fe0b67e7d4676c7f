import { test } from '@japa/runner'
import { Ajv } from 'ajv'
import { compileRuleset } from '#dispatch/rules/compiler'
import {
  getCompiledRuleset,
  clearCompiledRulesetCache,
} from '#dispatch/rules/compiled_ruleset_cache'
import { loadShippedRuleset } from '#dispatch/rules/shipped_rulesets'
import { rulesetVersionKey } from '#dispatch/rules/version_key'
import { ruleCatalog } from '#dispatch/rules/catalog'
import { decide } from '#dispatch/decision/decide'
import { explain } from '#dispatch/decision/explain'
import { snapshotFacts } from '#dispatch/decision/facts_snapshot'
import { buildTimeFact } from '#dispatch/decision/time_fact'
import { MissingFactError } from '#dispatch/decision/decision_assembly'
import type { OrderFacts } from '#dispatch/types'
import { orderFacts, standardQuotes } from '#tests/unit/dispatch/support/dispatch_fixtures'
import { comparable } from '#tests/unit/dispatch/support/decide_both'

const document = loadShippedRuleset('default')
const defaults = compileRuleset(document)

test.group('Explain', () => {
  test('gives the reference decision with per-rule traces and sentences', async ({ assert }) => {
    const facts = orderFacts({
      order: { category: 'medicine' },
      weather: { condition: 'heavy_rain' },
    })
    const explanation = await explain(defaults, facts, standardQuotes())
    assert.deepEqual(
      comparable(explanation.decision),
      comparable(decide(defaults, facts, standardQuotes()))
    )

    const tip = explanation.orderRules.find((rule) => rule.rule === 'severe-weather-tip')!
    assert.isTrue(tip.fired)
    assert.equal(tip.conditions.kind, 'any')
    const [rainCondition] = (
      tip.conditions as { children: Array<{ text: string; result: boolean | null }> }
    ).children
    assert.equal(
      rainCondition.text,
      'weather $.condition = "heavy_rain" in ["heavy_rain","snow"]: passed'
    )
    assert.isTrue(rainCondition.result)

    const coldChain = explanation.orderRules.find((rule) => rule.rule === 'cold-chain-capability')!
    assert.isFalse(coldChain.fired)
    // rules come highest priority first, as they ran
    assert.deepEqual(
      explanation.orderRules.map((rule) => rule.priority),
      [...explanation.orderRules.map((rule) => rule.priority)].sort((a, b) => b - a)
    )

    const dada = explanation.candidates.find((candidate) => candidate.carrier === 'dada')!
    assert.equal(dada.excluded?.by, 'medicine-licensed-only')
    const licence = dada.rules.find((rule) => rule.rule === 'medicine-licensed-only')!
    assert.isTrue(licence.fired)
    assert.include(dada.summary, 'excluded by medicine-licensed-only')

    assert.include(explanation.summary, 'Strategy cost-first, set by rule "default-cost-first".')
    assert.include(explanation.summary, 'Tip 300 fen added by order rules.')
    assert.isTrue(
      explanation.summary.some((line) => line.startsWith('sf/sf-main wins with score 115'))
    )
  })

  test('marks conditions the engine did not need to evaluate', async ({ assert }) => {
    const ruleset = compileRuleset({
      name: 'short-circuit',
      orderRules: [
        {
          name: 'two-groups',
          priority: 1,
          conditions: {
            all: [
              { fact: 'order', path: '$.category', operator: 'equal', value: 'cake', priority: 2 },
              { fact: 'order', path: '$.weight_g', operator: 'greaterThan', value: 100 },
            ],
          },
          event: { type: 'add-tip', params: { amount_fen: 100 } },
        },
      ],
      candidateRules: [],
    })
    const explanation = await explain(ruleset, orderFacts(), standardQuotes())
    const children = (
      explanation.orderRules[0].conditions as {
        children: Array<{ result: boolean | null; text: string }>
      }
    ).children
    assert.isFalse(children[0].result)
    assert.isNull(children[1].result)
    assert.match(children[1].text, /not evaluated$/)
  })

  test('traces candidate rules even for quotes the hub excluded first', async ({ assert }) => {
    const explanation = await explain(
      defaults,
      orderFacts({ order: { tags: ['cold_chain'] } }),
      standardQuotes()
    )
    const dada = explanation.candidates.find((candidate) => candidate.carrier === 'dada')!
    assert.isFalse(dada.rulesApplied)
    assert.equal(dada.excluded?.by, 'strategy:require-capability')
    assert.lengthOf(dada.rules, document.candidateRules.length)
  })
})

test.group('Compiled rulesets', () => {
  test('are cached by version key', ({ assert }) => {
    clearCompiledRulesetCache()
    const first = getCompiledRuleset(document)
    assert.strictEqual(getCompiledRuleset(structuredClone(document)), first)
    assert.equal(first.version, rulesetVersionKey(document))
    const pinned = getCompiledRuleset(document, 'ruleset-7-v3')
    assert.notStrictEqual(pinned, first)
    assert.equal(decide(pinned, orderFacts(), standardQuotes()).rulesetVersion, 'ruleset-7-v3')
  })

  test('version keys ignore key order and change with content', ({ assert }) => {
    const reordered = {
      candidateRules: document.candidateRules,
      orderRules: document.orderRules,
      name: document.name,
      description: document.description,
    }
    assert.equal(rulesetVersionKey(reordered), rulesetVersionKey(document))
    assert.notEqual(rulesetVersionKey({ ...document, name: 'other' }), rulesetVersionKey(document))
  })

  test('keep a frozen copy of the document', ({ assert }) => {
    const source = structuredClone(document)
    const compiled = compileRuleset(source)
    source.orderRules[0].priority = 999
    assert.equal(compiled.document.orderRules[0].priority, 200)
    assert.isTrue(Object.isFrozen(compiled.document.orderRules[0].conditions))
  })

  test('refuse facts with a missing member instead of guessing', ({ assert }) => {
    const withoutWeather: Partial<OrderFacts> = orderFacts()
    delete withoutWeather.weather
    assert.throws(
      () => decide(defaults, withoutWeather as OrderFacts, standardQuotes()),
      MissingFactError
    )
  })
})

test.group('Facts snapshot and time fact', () => {
  test('snapshot keeps catalog fields only and rounds recipient coordinates', ({ assert }) => {
    const facts = orderFacts()
    ;(facts.order as unknown as Record<string, unknown>).recipient_phone = '13800000000'
    ;(facts.order.recipient as unknown as Record<string, unknown>).address = '1 Nanjing Road'
    const quotes = standardQuotes()
    ;(quotes[0].quote as unknown as Record<string, unknown>).token = 'secret-delivery-no'

    const snapshot = snapshotFacts(facts, quotes)
    assert.deepEqual(snapshot.facts.order.recipient, {
      city: 'Shanghai',
      lat: 31.225,
      lng: 121.469,
    })
    assert.notProperty(snapshot.facts.order, 'recipient_phone')
    assert.notProperty(snapshot.quotes[0].quote, 'token')
    assert.deepEqual(snapshot.facts.weather, facts.weather)
    // the original facts are untouched
    assert.equal(facts.order.recipient.lat, 31.224567)
    // a snapshot replays to the same decision when coordinates are not used by rules
    assert.deepEqual(
      comparable(decide(defaults, snapshot.facts, snapshot.quotes)),
      comparable(decide(defaults, facts, quotes))
    )
  })

  test('time fact in China Standard Time with lunch and dinner peaks', ({ assert }) => {
    // 2024-06-07 is a Friday; 04:05 UTC is 12:05 in Beijing
    assert.deepEqual(buildTimeFact(new Date('2024-06-07T04:05:00Z')), {
      hour: 12,
      minute: 5,
      weekday: 5,
      is_peak: true,
      minute_of_day: 725,
    })
    const lateSunday = buildTimeFact(new Date('2024-06-09T15:30:00Z'))
    assert.deepEqual([lateSunday.hour, lateSunday.weekday, lateSunday.is_peak], [23, 7, false])
    assert.isTrue(
      buildTimeFact(new Date('2024-06-09T15:30:00Z'), { peakWindows: ['23:00-01:00'] }).is_peak
    )
  })
})

test.group('Rule catalog', () => {
  test('lists facts per phase, operators and event types with params schemas', ({ assert }) => {
    const catalog = ruleCatalog()
    const factsIn = (phase: string) =>
      catalog.facts.filter((fact) => fact.phases.includes(phase as never)).map((fact) => fact.name)
    assert.sameMembers(factsIn('order'), ['order', 'merchant', 'store', 'weather', 'time'])
    assert.sameMembers(factsIn('candidate'), [
      'order',
      'merchant',
      'store',
      'weather',
      'time',
      'quote',
      'carrier',
      'decision',
    ])
    assert.includeMembers(
      catalog.operators.map((operator) => operator.name),
      [
        'equal',
        'notEqual',
        'lessThan',
        'lessThanInclusive',
        'greaterThan',
        'greaterThanInclusive',
        'in',
        'notIn',
        'contains',
        'doesNotContain',
        'inTimeWindow',
        'inDistanceBand',
        'inCategorySet',
        'containsAny',
        'containsAll',
      ]
    )
    assert.sameMembers(
      catalog.eventTypes.filter((event) => event.phase === 'candidate').map((event) => event.name),
      ['exclude', 'adjust-score']
    )
    assert.equal(catalog.defaults.strategy, 'cost-first')
    assert.equal((catalog.documentSchema as { title: string }).title, 'Dispatch ruleset')
  })

  test('every fact example matches its own shape and every event example its params schema', ({
    assert,
  }) => {
    const ajv = new Ajv({ strict: false })
    const catalog = ruleCatalog()
    for (const fact of catalog.facts) {
      assert.isTrue(ajv.validate(fact.shape, fact.example), `${fact.name}: ${ajv.errorsText()}`)
    }
    for (const event of catalog.eventTypes) {
      assert.isTrue(
        ajv.validate(event.paramsSchema, event.example),
        `${event.name}: ${ajv.errorsText()}`
      )
    }
  })
})
