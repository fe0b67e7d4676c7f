import { test } from '@japa/runner'
import { decide } from '#dispatch/decision/decide'
import { compileRuleset } from '#dispatch/rules/compiler'
import { recordDecision } from '#services/rulesets/decision_records'
import { quoteProvider, registerQuoteProvider } from '#services/rulesets/quote_provider'
import { actorOf, createOverride, publishDraft } from '#services/rulesets/ruleset_service'
import { orderFacts, standardQuotes } from '#tests/unit/dispatch/support/dispatch_fixtures'
import { createOrderFor, createTenant, createUser } from '#tests/helpers/fixtures'
import { RULESETS, defaults, editedDefaults } from '#tests/functional/rulesets/helpers'

/** An override of the tenant whose draft (and version 1) are the shipped defaults. */
async function setup() {
  const tenant = await createTenant()
  const admin = await createUser('admin')
  const { ruleset } = await createOverride(
    { merchant_id: tenant.merchant.id, name: 'Dry runs', document: defaults() },
    actorOf(admin.user)
  )
  return { ...tenant, token: admin.token, id: ruleset.id, ruleset, actor: actorOf(admin.user) }
}

test.group('Rulesets: dry runs', () => {
  test('cost-first picks the cheapest quote, and the explanation says why', async ({
    client,
    assert,
  }) => {
    const { token, id } = await setup()
    const response = await client
      .post(`${RULESETS}/${id}/dry-run`)
      .bearerToken(token)
      .json({ order: orderFacts(), quotes: standardQuotes() })
    response.assertStatus(200)
    const { decision, explanation, evaluators_agree: agree, version } = response.body().data
    assert.equal(version, 'draft')
    assert.isTrue(agree)
    assert.equal(decision.strategy, 'cost-first')
    assert.deepEqual(decision.winner, { carrier: 'dada', accountId: 'dada-main' })
    assert.equal(decision.tipFen, 0)
    assert.equal(decision.acceptTimeoutS, 60)
    assert.include(explanation.summary[0], 'default-cost-first')
    const dada = explanation.candidates.find((c: { carrier: string }) => c.carrier === 'dada')
    assert.equal(dada.rank, 1)
    assert.match(dada.summary, /dada\/dada-main wins with score 100/)
    assert.lengthOf(explanation.order_rules, 9)
    // The facts were inline: time and weather were given, nothing assumed.
    assert.deepEqual(response.body().data.assumptions, [])
  })

  test('a heavy-rain order gets a tip and a longer accept timeout', async ({ client, assert }) => {
    const { token, id } = await setup()
    const response = await client
      .post(`${RULESETS}/${id}/dry-run`)
      .bearerToken(token)
      .json({
        order: orderFacts({ weather: { condition: 'heavy_rain', temperature_c: 18 } }),
        quotes: standardQuotes(),
      })
    response.assertStatus(200)
    const { decision, explanation } = response.body().data
    assert.equal(decision.tipFen, 300)
    assert.equal(decision.acceptTimeoutS, 180)
    assert.includeMembers(
      decision.orderEvents.map((e: { rule: string }) => e.rule),
      ['severe-weather-tip', 'severe-weather-accept-timeout']
    )
    const tipRule = explanation.order_rules.find(
      (r: { rule: string }) => r.rule === 'severe-weather-tip'
    )
    assert.isTrue(tipRule.fired)
    // Reliable carriers get +15 in severe weather: the explanation shows the adjustment.
    const sf = decision.candidates.find((c: { carrier: string }) => c.carrier === 'sf')
    assert.deepInclude(sf.adjustments, { by: 'severe-weather-prefer-reliable', delta: 15 })
  })

  test('the explanation names the rule that excluded each candidate', async ({
    client,
    assert,
  }) => {
    const { token, id } = await setup()
    const response = await client
      .post(`${RULESETS}/${id}/dry-run`)
      .bearerToken(token)
      .json({
        order: orderFacts({ order: { category: 'medicine', tags: ['cold_chain'] } }),
        quotes: standardQuotes(),
      })
    response.assertStatus(200)
    const { decision, explanation } = response.body().data
    const byCarrier = Object.fromEntries(
      explanation.candidates.map((c: { carrier: string }) => [c.carrier, c])
    )
    // Cold chain is required by an order rule, so the hub excludes quotes without
    // it before candidate rules run; those run for information only.
    for (const carrier of ['dada', 'shansong', 'meituan', 'uu']) {
      assert.equal(byCarrier[carrier].excluded.by, 'strategy:require-capability', carrier)
      assert.isFalse(byCarrier[carrier].rulesApplied)
    }
    assert.equal(byCarrier.sf.rank, 1)
    assert.deepEqual(decision.winner, { carrier: 'sf', accountId: 'sf-main' })

    const medicineOnly = await client
      .post(`${RULESETS}/${id}/dry-run`)
      .bearerToken(token)
      .json({ order: orderFacts({ order: { category: 'medicine' } }), quotes: standardQuotes() })
    const candidates = medicineOnly.body().data.explanation.candidates
    for (const carrier of ['dada', 'meituan', 'uu']) {
      const candidate = candidates.find((c: { carrier: string }) => c.carrier === carrier)
      assert.equal(candidate.excluded.by, 'medicine-licensed-only')
      assert.isTrue(candidate.rulesApplied)
      assert.include(candidate.summary, 'medicine-licensed-only')
    }
    assert.equal(medicineOnly.body().data.decision.winner.carrier, 'sf')
  })

  test('a stored order: facts from the database, weather assumed or recorded', async ({
    client,
    assert,
  }) => {
    const { merchant, stores, token, id, ruleset } = await setup()
    const order = await createOrderFor(merchant, stores[0].id)

    const assumed = await client
      .post(`${RULESETS}/${id}/dry-run`)
      .bearerToken(token)
      .json({ order: order.id, quotes: standardQuotes() })
    assumed.assertStatus(200)
    const data = assumed.body().data
    assert.equal(data.order_source, 'stored')
    assert.equal(data.order_id, order.id)
    assert.equal(data.fact_sources.weather, 'default')
    assert.equal(data.fact_sources.time, 'order_created_at')
    assert.match(data.assumptions[0], /assumed clear/)
    assert.equal(data.facts.weather.condition, 'clear')
    assert.equal(data.facts.merchant.id, merchant.id)
    assert.equal(data.facts.store.id, stores[0].id)
    assert.equal(data.facts.order.category, 'food')
    // Chaoyang store (39.9087, 116.4605) to the recipient (39.915, 116.455): 700 m
    // north and 470 m west, 843 m as the crow flies.
    assert.closeTo(data.facts.order.distance_m, 843, 5)
    assert.notInclude(JSON.stringify(data), '13812345678')
    assert.equal(data.decision.tipFen, 0)

    const rainy = await client
      .post(`${RULESETS}/${id}/dry-run`)
      .bearerToken(token)
      .json({
        order: order.id,
        quotes: standardQuotes(),
        weather: { condition: 'heavy_rain', temperature_c: 20, wind_level: 6 },
      })
    rainy.assertStatus(200)
    assert.equal(rainy.body().data.fact_sources.weather, 'request')
    assert.equal(rainy.body().data.decision.tipFen, 300)

    // Once the pipeline recorded a decision, its weather and time are reused.
    const facts = orderFacts({
      order: { id: order.id },
      weather: { condition: 'snow', temperature_c: -4 },
      time: { hour: 23, minute: 10, minute_of_day: 1390 },
    })
    const compiled = compileRuleset(defaults(), 'test')
    await recordDecision({
      orderId: order.id,
      merchantId: merchant.id,
      rulesetVersionId: null,
      facts,
      quotes: standardQuotes(),
      decision: decide(compiled, facts, standardQuotes()),
    })
    const recorded = await client
      .post(`${RULESETS}/${ruleset.id}/dry-run`)
      .bearerToken(token)
      .json({ order: order.id, quotes: standardQuotes() })
    recorded.assertStatus(200)
    assert.equal(recorded.body().data.fact_sources.weather, 'decision_record')
    assert.equal(recorded.body().data.fact_sources.time, 'decision_record')
    assert.deepEqual(recorded.body().data.assumptions, [])
    assert.equal(recorded.body().data.decision.tipFen, 500)
    assert.equal(recorded.body().data.decision.acceptTimeoutS, 180)
  })

  test('runs a published version, the active one or the draft', async ({ client, assert }) => {
    const { token, id, ruleset, actor } = await setup()
    await publishDraft(ruleset, null, actor)
    await client.put(`${RULESETS}/${id}/draft`).bearerToken(token).json(editedDefaults())
    const rain = orderFacts({ weather: { condition: 'heavy_rain' } })

    const tips: Record<string, number> = {}
    for (const version of [1, 'active', 'draft']) {
      const response = await client
        .post(`${RULESETS}/${id}/dry-run`)
        .bearerToken(token)
        .json({ version, order: rain, quotes: standardQuotes() })
      response.assertStatus(200)
      tips[String(version)] = response.body().data.decision.tipFen
    }
    assert.deepEqual(tips, { 1: 300, active: 300, draft: 500 })

    const missing = await client
      .post(`${RULESETS}/${id}/dry-run`)
      .bearerToken(token)
      .json({ version: 5, order: rain, quotes: standardQuotes() })
    missing.assertStatus(422)
    assert.deepInclude(missing.body().errors[0], { pointer: '/version', rule: 'exists' })

    // An invalid draft cannot be run; the published version still can.
    const broken = editedDefaults() as any
    broken.orderRules[0].priority = -1
    await client.put(`${RULESETS}/${id}/draft`).bearerToken(token).json(broken)
    const invalid = await client
      .post(`${RULESETS}/${id}/dry-run`)
      .bearerToken(token)
      .json({ order: rain, quotes: standardQuotes() })
    invalid.assertStatus(422)
    assert.deepInclude(invalid.body().errors[0], {
      pointer: '/orderRules/0/priority',
      rule: 'priority',
    })
    const active = await client
      .post(`${RULESETS}/${id}/dry-run`)
      .bearerToken(token)
      .json({ version: 'active', order: rain, quotes: standardQuotes() })
    active.assertStatus(200)
  })

  test('live quotes need a registered quote provider', async ({ client, assert }) => {
    const { token, id } = await setup()
    // The dispatch pipeline registers the real one at boot; take it away for this case.
    const dispatchProvider = quoteProvider()
    registerQuoteProvider(null)
    const refused = await client
      .post(`${RULESETS}/${id}/dry-run`)
      .bearerToken(token)
      .json({ order: orderFacts(), quotes: 'live' })
    refused.assertStatus(422)
    assert.equal(refused.body().errors[0].pointer, '/quotes')
    assert.equal(refused.body().errors[0].rule, 'live-unavailable')
    assert.match(refused.body().errors[0].message, /live quoting is not available yet/)

    const asked: number[] = []
    registerQuoteProvider({
      async quotesFor(facts) {
        asked.push(facts.order.id)
        return standardQuotes().slice(1)
      },
    })
    try {
      const live = await client
        .post(`${RULESETS}/${id}/dry-run`)
        .bearerToken(token)
        .json({ order: orderFacts({ order: { id: 4242 } }), quotes: 'live' })
      live.assertStatus(200)
      assert.deepEqual(asked, [4242])
      assert.equal(live.body().data.decision.winner.carrier, 'sf')
    } finally {
      registerQuoteProvider(dispatchProvider)
    }
  })

  test('bad requests name the field and the rule', async ({ client, assert }) => {
    const { token, id } = await setup()
    const incompleteQuote = standardQuotes() as any[]
    delete incompleteQuote[0].quote.fee_fen
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ order: orderFacts(), quotes: incompleteQuote }, '/quotes/0/quote/fee_fen', 'required'],
      [{ order: 'abc', quotes: standardQuotes() }, '/order', 'type'],
      [{ order: 99999999, quotes: standardQuotes() }, '/order', 'exists'],
      [{ order: orderFacts() }, '/quotes', 'required'],
      [{ order: orderFacts(), quotes: [] }, '/quotes', 'minItems'],
      [{ order: orderFacts(), quotes: standardQuotes(), tip: 1 }, '/tip', 'additionalProperties'],
      [
        {
          order: orderFacts(),
          quotes: standardQuotes(),
          weather: { condition: 'hail', temperature_c: 1, wind_level: 1 },
        },
        '/weather/condition',
        'enum',
      ],
      [
        { version: 'latest', order: orderFacts(), quotes: standardQuotes() },
        '/version',
        'versionRef',
      ],
      [
        {
          order: { ...orderFacts(), weather: undefined, order: { id: 1 } },
          quotes: standardQuotes(),
        },
        '/order/order/merchant_id',
        'required',
      ],
    ]
    for (const [body, pointer, rule] of cases) {
      const response = await client.post(`${RULESETS}/${id}/dry-run`).bearerToken(token).json(body)
      response.assertStatus(422)
      assert.deepInclude(
        response.body().errors[0],
        { pointer, rule },
        JSON.stringify(body).slice(0, 80)
      )
    }
  })
})
