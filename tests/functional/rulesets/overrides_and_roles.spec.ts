import { test } from '@japa/runner'
import Ruleset from '#models/ruleset'
import DecisionRecord from '#models/decision_record'
import { decide } from '#dispatch/decision/decide'
import { activeRulesetFor } from '#services/rulesets/active_ruleset'
import { recordDecision } from '#services/rulesets/decision_records'
import { orderFacts, standardQuotes } from '#tests/unit/dispatch/support/dispatch_fixtures'
import { createConsoleCast, createOrderFor } from '#tests/helpers/fixtures'
import { RULESETS, countRows, defaults } from '#tests/functional/rulesets/helpers'

/** The defaults plus a top-priority rule that always picks the fastest carrier. */
function alwaysFastest() {
  const document = defaults()
  document.name = 'always-fastest'
  document.orderRules.unshift({
    name: 'always-speed-first',
    priority: 500,
    conditions: { all: [] },
    event: { type: 'set-strategy', params: { strategy: 'speed-first' } },
  })
  return document
}

test.group('Rulesets: merchant overrides', () => {
  test('a published override decides for its merchant only', async ({ client, assert }) => {
    const { a, b, admin } = await createConsoleCast()
    const created = await client
      .post(RULESETS)
      .bearerToken(admin.token)
      .json({ merchant_id: a.merchant.id, name: 'Fastest always', document: alwaysFastest() })
    created.assertStatus(201)
    const id = created.body().data.id
    const published = await client.post(`${RULESETS}/${id}/publish`).bearerToken(admin.token)
    published.assertStatus(201)

    const forA = await activeRulesetFor(a.merchant.id)
    assert.equal(forA.rulesetId, id)
    assert.equal(forA.versionKey, `merchant:${a.merchant.id}@v1`)
    const decisionA = decide(forA.compiled, orderFacts(), standardQuotes())
    assert.equal(decisionA.strategy, 'speed-first')
    assert.equal(decisionA.winner?.carrier, 'shansong')

    // B has no override: the global ruleset (created on first use if need be).
    const forB = await activeRulesetFor(b.merchant.id)
    const global = await Ruleset.findByOrFail('scope_key', 'global')
    assert.equal(forB.scopeKey, 'global')
    assert.equal(forB.versionId, global.activeVersionId)
    assert.notEqual(
      decide(forB.compiled, orderFacts(), standardQuotes()).rulesetVersion,
      decisionA.rulesetVersion
    )

    // The cached version is the same object on the next call: no recompilation.
    const again = await activeRulesetFor(a.merchant.id)
    assert.strictEqual(again.compiled, forA.compiled)
  })

  test('one override per merchant; the merchant must exist; a document must be an object', async ({
    client,
    assert,
  }) => {
    const { a, admin } = await createConsoleCast()
    const first = await client
      .post(RULESETS)
      .bearerToken(admin.token)
      .json({ merchant_id: a.merchant.id, name: 'One' })
    first.assertStatus(201)

    const second = await client
      .post(RULESETS)
      .bearerToken(admin.token)
      .json({ merchant_id: a.merchant.id, name: 'Two' })
    second.assertStatus(409)
    assert.deepInclude(second.body().errors[0], { pointer: '/merchant_id', rule: 'unique' })

    const nobody = await client
      .post(RULESETS)
      .bearerToken(admin.token)
      .json({ merchant_id: 99999999, name: 'Ghost' })
    nobody.assertStatus(422)
    assert.equal(nobody.body().errors[0].pointer, '/merchant_id')

    const { b } = await createConsoleCast()
    const notObject = await client
      .post(RULESETS)
      .bearerToken(admin.token)
      .json({ merchant_id: b.merchant.id, name: 'Bad', document: 'rules' })
    notObject.assertStatus(422)
    assert.deepInclude(notObject.body().errors[0], { pointer: '/document', rule: 'object' })
    assert.isNull(await Ruleset.findBy('merchant_id', b.merchant.id))

    // An invalid document is kept as work in progress, with its errors.
    const wip = { ...defaults(), orderRules: [{ name: 'half-written' }] }
    const kept = await client
      .post(RULESETS)
      .bearerToken(admin.token)
      .json({ merchant_id: b.merchant.id, name: 'WIP', document: wip })
    kept.assertStatus(201)
    assert.isFalse(kept.body().data.draft.valid)
    assert.equal(kept.body().data.draft.errors[0].pointer.startsWith('/orderRules/0'), true)
  })

  test('recordDecision stores a masked snapshot that points at the version', async ({ assert }) => {
    const { a } = await createConsoleCast()
    const order = await createOrderFor(a.merchant, a.stores[0].id)
    const active = await activeRulesetFor(a.merchant.id)
    const facts = orderFacts({ order: { id: order.id, merchant_id: a.merchant.id } })
    // Anything personal that slips into a fact object never reaches the record.
    ;(facts.order.recipient as any).phone = '13812345678'
    ;(facts.order.recipient as any).address = '北京市朝阳区光华路9号院'
    const decision = decide(active.compiled, facts, standardQuotes())

    const record = await recordDecision({
      orderId: order.id,
      merchantId: a.merchant.id,
      attemptNo: 2,
      rulesetVersionId: active.versionId,
      facts,
      quotes: standardQuotes(),
      decision,
    })
    const stored = await DecisionRecord.findOrFail(record.id)
    assert.equal(stored.attemptNo, 2)
    assert.equal(stored.rulesetVersionId, active.versionId)
    assert.equal(stored.rulesetVersionKey, active.versionKey)
    assert.equal(stored.winnerCarrier, decision.winner!.carrier)
    assert.equal(stored.strategy, decision.strategy)
    assert.lengthOf(stored.candidates, 5)
    assert.notInclude(JSON.stringify(stored.factsSnapshot), '13812345678')
    assert.notInclude(JSON.stringify(stored.factsSnapshot), '光华路')
    assert.equal(stored.factsSnapshot.order.recipient.lat, 31.225)
    // Records are append-only.
    stored.tipFen = 999
    await assert.rejects(() => stored.save(), /append-only/)
  })
})

test.group('Rulesets: who may do what', () => {
  test('operators read, validate, dry-run and backtest, but never change rules', async ({
    client,
    assert,
  }) => {
    const { a, admin, operator } = await createConsoleCast()
    const created = await client
      .post(RULESETS)
      .bearerToken(admin.token)
      .json({ merchant_id: a.merchant.id, name: 'Ops test' })
    const id = created.body().data.id

    for (const path of [
      RULESETS,
      `${RULESETS}/${id}`,
      `${RULESETS}/catalog`,
      `${RULESETS}/${id}/versions`,
    ]) {
      const response = await client.get(path).bearerToken(operator.token)
      response.assertStatus(200)
    }
    const validated = await client.post(`${RULESETS}/${id}/validate`).bearerToken(operator.token)
    validated.assertStatus(200)
    const dryRun = await client
      .post(`${RULESETS}/${id}/dry-run`)
      .bearerToken(operator.token)
      .json({ order: orderFacts(), quotes: standardQuotes() })
    dryRun.assertStatus(200)
    const backtest = await client
      .post(`${RULESETS}/${id}/backtest`)
      .bearerToken(operator.token)
      .json({ from: '2020-01-01', to: '2020-01-02' })
    backtest.assertStatus(200)

    const publish = await client.post(`${RULESETS}/${id}/publish`).bearerToken(operator.token)
    publish.assertStatus(403)
    const draft = await client
      .put(`${RULESETS}/${id}/draft`)
      .bearerToken(operator.token)
      .json(defaults())
    draft.assertStatus(403)
    const rollback = await client
      .post(`${RULESETS}/${id}/rollback`)
      .bearerToken(operator.token)
      .json({ version: 1 })
    rollback.assertStatus(403)
    const create = await client
      .post(RULESETS)
      .bearerToken(operator.token)
      .json({ merchant_id: a.merchant.id, name: 'x' })
    create.assertStatus(403)
    assert.equal(await countRows(Ruleset.query().where('merchant_id', a.merchant.id)), 1)
  })

  test('a merchant user reads and dry-runs their own override only', async ({ client, assert }) => {
    const { a, b, admin, merchantA } = await createConsoleCast()
    const own = await client
      .post(RULESETS)
      .bearerToken(admin.token)
      .json({ merchant_id: a.merchant.id, name: 'A rules' })
    const other = await client
      .post(RULESETS)
      .bearerToken(admin.token)
      .json({ merchant_id: b.merchant.id, name: 'B rules' })
    const ownId = own.body().data.id
    const otherId = other.body().data.id
    await activeRulesetFor(b.merchant.id)
    const global = await Ruleset.findByOrFail('scope_key', 'global')

    const list = await client.get(RULESETS).bearerToken(merchantA.token)
    list.assertStatus(200)
    assert.deepEqual(
      list.body().data.map((r: { id: number }) => r.id),
      [ownId]
    )
    const ownShown = await client.get(`${RULESETS}/${ownId}`).bearerToken(merchantA.token)
    ownShown.assertStatus(200)
    for (const hidden of [otherId, global.id]) {
      const response = await client.get(`${RULESETS}/${hidden}`).bearerToken(merchantA.token)
      response.assertStatus(404)
      assert.notInclude(JSON.stringify(response.body()), 'B rules')
      const versions = await client
        .get(`${RULESETS}/${hidden}/versions`)
        .bearerToken(merchantA.token)
      versions.assertStatus(404)
      const dryRun = await client
        .post(`${RULESETS}/${hidden}/dry-run`)
        .bearerToken(merchantA.token)
        .json({ order: orderFacts(), quotes: standardQuotes() })
      dryRun.assertStatus(404)
    }

    const dryRun = await client
      .post(`${RULESETS}/${ownId}/dry-run`)
      .bearerToken(merchantA.token)
      .json({ order: orderFacts(), quotes: standardQuotes() })
    dryRun.assertStatus(200)

    // Another merchant's stored order reads as missing, even through their own override.
    const bOrder = await createOrderFor(b.merchant, b.stores[0].id)
    const foreignOrder = await client
      .post(`${RULESETS}/${ownId}/dry-run`)
      .bearerToken(merchantA.token)
      .json({ order: bOrder.id, quotes: standardQuotes() })
    foreignOrder.assertStatus(422)
    assert.deepInclude(foreignOrder.body().errors[0], { pointer: '/order', rule: 'exists' })

    const merchantPublish = await client
      .post(`${RULESETS}/${ownId}/publish`)
      .bearerToken(merchantA.token)
    merchantPublish.assertStatus(403)
    const backtest = await client
      .post(`${RULESETS}/${ownId}/backtest`)
      .bearerToken(merchantA.token)
      .json({ from: '2020-01-01', to: '2020-01-02' })
    backtest.assertStatus(403)
  })

  test('integrators are refused everywhere; anonymous callers get 401', async ({ client }) => {
    const { a, admin, integrator } = await createConsoleCast()
    const created = await client
      .post(RULESETS)
      .bearerToken(admin.token)
      .json({ merchant_id: a.merchant.id, name: 'Not for integrators' })
    const id = created.body().data.id
    for (const path of [RULESETS, `${RULESETS}/catalog`, `${RULESETS}/${id}`]) {
      const response = await client.get(path).bearerToken(integrator.token)
      response.assertStatus(403)
    }
    const dryRun = await client
      .post(`${RULESETS}/${id}/dry-run`)
      .bearerToken(integrator.token)
      .json({ order: orderFacts(), quotes: standardQuotes() })
    dryRun.assertStatus(403)
    for (const path of [RULESETS, `${RULESETS}/catalog`]) {
      const anonymous = await client.get(path)
      anonymous.assertStatus(401)
    }
  })

  test('the catalog lists what the rule builder offers', async ({ client, assert }) => {
    const { merchantA } = await createConsoleCast()
    const response = await client.get(`${RULESETS}/catalog`).bearerToken(merchantA.token)
    response.assertStatus(200)
    const catalog = response.body().data
    assert.includeMembers(
      catalog.facts.map((fact: { name: string }) => fact.name),
      ['order', 'merchant', 'store', 'weather', 'time', 'quote', 'carrier', 'decision']
    )
    assert.includeMembers(
      catalog.eventTypes.map((event: { name: string }) => event.name),
      ['set-strategy', 'add-tip', 'exclude', 'adjust-score']
    )
    assert.equal(catalog.defaults.strategy, 'cost-first')
  })
})
