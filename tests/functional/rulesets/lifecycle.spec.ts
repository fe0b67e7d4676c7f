import { test } from '@japa/runner'
import AuditLog from '#models/audit_log'
import Ruleset from '#models/ruleset'
import RulesetVersion from '#models/ruleset_version'
import { decide } from '#dispatch/decision/decide'
import { activeRulesetFor } from '#services/rulesets/active_ruleset'
import { orderFacts, standardQuotes } from '#tests/unit/dispatch/support/dispatch_fixtures'
import { createConsoleCast, createTenant, createUser } from '#tests/helpers/fixtures'
import { RULESETS, countRows, defaults, editedDefaults } from '#tests/functional/rulesets/helpers'

test.group('Rulesets: the global ruleset', () => {
  test('is created on first use with the shipped defaults published as version 1', async ({
    client,
    assert,
  }) => {
    const { token } = await createUser('admin')
    const list = await client.get(RULESETS).qs({ scope: 'global' }).bearerToken(token)
    list.assertStatus(200)
    assert.lengthOf(list.body().data, 1)
    const global = list.body().data[0]
    assert.equal(global.scope_key, 'global')
    assert.isNull(global.merchant_id)
    assert.notProperty(global.draft, 'document', 'lists leave the draft document out')

    const v1 = await client.get(`${RULESETS}/${global.id}/versions/1`).bearerToken(token)
    v1.assertStatus(200)
    assert.deepEqual(v1.body().data.document, defaults())
    assert.equal(v1.body().data.published_by.label, 'system')

    const created = await AuditLog.query()
      .where('action', 'ruleset.create')
      .where('subject_id', String(global.id))
      .firstOrFail()
    assert.equal(created.actorType, 'system')
    assert.equal(await countRows(Ruleset.query().where('scope_key', 'global')), 1)
  })
})

test.group('Rulesets: draft, validate, publish, roll back, diff', () => {
  test('numbered immutable versions, rollback and diff on a merchant override', async ({
    client,
    assert,
  }) => {
    const { a, admin } = await createConsoleCast()
    const merchantId = a.merchant.id

    // A new override starts as a copy of the active global rules, unpublished:
    // the merchant is still dispatched by the global ruleset.
    const created = await client
      .post(RULESETS)
      .bearerToken(admin.token)
      .json({ merchant_id: merchantId, name: 'Bakery rules' })
    created.assertStatus(201)
    const id = created.body().data.id
    assert.equal(created.body().data.scope_key, `merchant:${merchantId}`)
    assert.isNull(created.body().data.active_version)
    assert.isTrue(created.body().data.draft.valid)
    assert.deepEqual(created.body().data.draft.document.orderRules, defaults().orderRules)
    const beforePublish = await activeRulesetFor(merchantId)
    assert.equal(beforePublish.scopeKey, 'global')

    const validated = await client.post(`${RULESETS}/${id}/validate`).bearerToken(admin.token)
    validated.assertStatus(200)
    assert.equal(validated.body().data.source, 'draft')
    assert.deepEqual(validated.body().data.rules, { order: 9, candidate: 6 })

    const v1 = await client
      .post(`${RULESETS}/${id}/publish`)
      .bearerToken(admin.token)
      .json({ note: 'start from the defaults' })
    v1.assertStatus(201)
    assert.equal(v1.body().data.version.version, 1)
    assert.equal(v1.body().data.ruleset.active_version.version, 1)
    assert.isNull(v1.body().data.diff_from_previous)
    const v1Document = v1.body().data.version.document

    const onV1 = await activeRulesetFor(merchantId)
    assert.equal(onV1.versionKey, `merchant:${merchantId}@v1`)

    // Edit the draft: the active version does not move until a publish.
    const saved = await client
      .put(`${RULESETS}/${id}/draft`)
      .bearerToken(admin.token)
      .json(editedDefaults())
    saved.assertStatus(200)
    assert.isTrue(saved.body().data.draft.valid)
    assert.isTrue(saved.body().data.draft.differs_from_active)
    assert.equal(saved.body().data.active_version.version, 1)

    const pending = await client.get(`${RULESETS}/${id}/diff`).bearerToken(admin.token)
    pending.assertStatus(200)
    assert.deepEqual(pending.body().data.from, {
      version: 1,
      version_key: `merchant:${merchantId}@v1`,
    })
    assert.equal(pending.body().data.to.version, 'draft')
    assert.deepEqual(pending.body().data.diff.added, [{ phase: 'candidate', rule: 'avoid-uu' }])
    assert.deepEqual(pending.body().data.diff.removed, [
      { phase: 'order', rule: 'peak-hours-speed-first' },
    ])
    assert.deepEqual(pending.body().data.diff.changed, [
      { phase: 'order', rule: 'severe-weather-tip', parts: ['event'] },
    ])

    const v2 = await client.post(`${RULESETS}/${id}/publish`).bearerToken(admin.token)
    v2.assertStatus(201)
    assert.equal(v2.body().data.version.version, 2)
    assert.deepEqual(v2.body().data.diff_from_previous.added, [
      { phase: 'candidate', rule: 'avoid-uu' },
    ])

    // Publishing again, unchanged, is still a new version.
    const v3 = await client.post(`${RULESETS}/${id}/publish`).bearerToken(admin.token)
    v3.assertStatus(201)
    assert.equal(v3.body().data.version.version, 3)
    assert.lengthOf(v3.body().data.diff_from_previous.changed, 0)

    const versions = await client.get(`${RULESETS}/${id}/versions`).bearerToken(admin.token)
    versions.assertStatus(200)
    assert.deepEqual(
      versions.body().data.map((v: { version: number; active: boolean }) => [v.version, v.active]),
      [
        [3, true],
        [2, false],
        [1, false],
      ]
    )
    assert.notProperty(versions.body().data[0], 'document')

    // Version 1 never changed, and the model refuses to change it.
    const stillV1 = await client.get(`${RULESETS}/${id}/versions/1`).bearerToken(admin.token)
    assert.deepEqual(stillV1.body().data.document, v1Document)
    const row = await RulesetVersion.query()
      .where('ruleset_id', id)
      .where('version', 1)
      .firstOrFail()
    row.note = 'rewritten history'
    await assert.rejects(() => row.save(), /immutable/)
    const reread = await RulesetVersion.query().where('id', row.id).firstOrFail()
    assert.equal(reread.note, 'start from the defaults')

    // In snow, v2 and v3 tip 500 + 200; v1 tips 300 + 200.
    const snow = orderFacts({ weather: { condition: 'snow', temperature_c: -3 } })
    const onV3 = await activeRulesetFor(merchantId)
    assert.equal(onV3.version, 3)
    assert.equal(decide(onV3.compiled, snow, standardQuotes()).tipFen, 700)

    const rolled = await client
      .post(`${RULESETS}/${id}/rollback`)
      .bearerToken(admin.token)
      .json({ version: 1, note: 'tips too high' })
    rolled.assertStatus(200)
    assert.equal(rolled.body().data.ruleset.active_version.version, 1)
    assert.equal(rolled.body().data.version.version, 1)

    const afterRollback = await activeRulesetFor(merchantId)
    assert.equal(afterRollback.version, 1)
    const decision = decide(afterRollback.compiled, snow, standardQuotes())
    assert.equal(decision.tipFen, 500)
    assert.equal(decision.rulesetVersion, `merchant:${merchantId}@v1`)

    // The draft is untouched by a rollback.
    const shown = await client.get(`${RULESETS}/${id}`).bearerToken(admin.token)
    assert.deepEqual(shown.body().data.draft.document, editedDefaults())

    const again = await client
      .post(`${RULESETS}/${id}/rollback`)
      .bearerToken(admin.token)
      .json({ version: 1 })
    again.assertStatus(409)
    const missing = await client
      .post(`${RULESETS}/${id}/rollback`)
      .bearerToken(admin.token)
      .json({ version: 9 })
    missing.assertStatus(422)
    assert.equal(missing.body().errors[0].pointer, '/version')
    assert.equal(missing.body().errors[0].rule, 'exists')

    const history = await client
      .get(`${RULESETS}/${id}/diff`)
      .qs({ from: '1', to: '2' })
      .bearerToken(admin.token)
    history.assertStatus(200)
    assert.deepEqual(history.body().data.diff.removed, [
      { phase: 'order', rule: 'peak-hours-speed-first' },
    ])
    const unknown = await client
      .get(`${RULESETS}/${id}/diff`)
      .qs({ from: '7' })
      .bearerToken(admin.token)
    unknown.assertStatus(422)
    assert.equal(unknown.body().errors[0].pointer, '/from')

    // Every change is in the audit log with its author.
    const audit = await AuditLog.query()
      .where('subject_type', 'ruleset')
      .where('subject_id', String(id))
      .orderBy('id', 'asc')
    assert.deepEqual(
      audit.map((entry) => entry.action),
      [
        'ruleset.create',
        'ruleset.publish',
        'ruleset.draft.update',
        'ruleset.publish',
        'ruleset.publish',
        'ruleset.rollback',
      ]
    )
    for (const entry of audit) {
      assert.equal(entry.actorLabel, admin.user.email)
      assert.equal(entry.merchantId, merchantId)
    }
    assert.deepEqual(audit[3].changes!.active_version, { from: 1, to: 2 })
    assert.deepEqual(audit[5].changes!.active_version, { from: 3, to: 1 })
    assert.equal(audit[5].changes!.note, 'tips too high')
    const published = await RulesetVersion.query().where('ruleset_id', id).orderBy('version')
    assert.deepEqual(
      published.map((v) => [v.version, v.publishedBy, v.publishedByLabel]),
      [1, 2, 3].map((n) => [n, admin.user.id, admin.user.email])
    )
  })

  test('an invalid draft is saved with its errors, but publishing it is refused', async ({
    client,
    assert,
  }) => {
    const { merchant } = await createTenant()
    const { token } = await createUser('admin')
    const created = await client
      .post(RULESETS)
      .bearerToken(token)
      .json({ merchant_id: merchant.id, name: 'Work in progress', document: defaults() })
    created.assertStatus(201)
    const id = created.body().data.id
    const v1 = await client.post(`${RULESETS}/${id}/publish`).bearerToken(token)
    v1.assertStatus(201)

    const broken = defaults() as any
    broken.orderRules[0].conditions = {
      all: [{ fact: 'ordr', path: '$.tags', operator: 'contains', value: 'cold_chain' }],
    }
    const saved = await client.put(`${RULESETS}/${id}/draft`).bearerToken(token).json(broken)
    saved.assertStatus(200)
    assert.isFalse(saved.body().data.draft.valid)
    assert.equal(saved.body().data.draft.errors[0].pointer, '/orderRules/0/conditions/all/0/fact')
    assert.equal(saved.body().data.draft.document.orderRules[0].conditions.all[0].fact, 'ordr')

    const refused = await client.post(`${RULESETS}/${id}/publish`).bearerToken(token)
    refused.assertStatus(422)
    assert.equal(refused.body().type, 'https://courier-hub.dev/problems/invalid-ruleset')
    assert.equal(refused.body().errors[0].pointer, '/orderRules/0/conditions/all/0/fact')
    assert.equal(refused.body().errors[0].rule, 'unknown-fact')
    assert.equal(await countRows(RulesetVersion.query().where('ruleset_id', id)), 1)

    // Diffing against an invalid draft points into the draft too.
    const diff = await client.get(`${RULESETS}/${id}/diff`).bearerToken(token)
    diff.assertStatus(422)
    assert.equal(diff.body().errors[0].rule, 'unknown-fact')

    // Saving the same draft again changes nothing and is not audited twice.
    await client.put(`${RULESETS}/${id}/draft`).bearerToken(token).json(broken)
    const updates = await AuditLog.query()
      .where('action', 'ruleset.draft.update')
      .where('subject_id', String(id))
    assert.lengthOf(updates, 1)
    assert.isFalse(updates[0].changes!.valid as boolean)
  })

  test('a retried publish with the same Idempotency-Key makes one version', async ({
    client,
    assert,
  }) => {
    const { merchant } = await createTenant()
    const { token } = await createUser('admin')
    const created = await client
      .post(RULESETS)
      .bearerToken(token)
      .json({ merchant_id: merchant.id, name: 'Retry' })
    const id = created.body().data.id
    const first = await client
      .post(`${RULESETS}/${id}/publish`)
      .header('Idempotency-Key', `publish-${id}`)
      .bearerToken(token)
      .json({ note: 'once' })
    const second = await client
      .post(`${RULESETS}/${id}/publish`)
      .header('Idempotency-Key', `publish-${id}`)
      .bearerToken(token)
      .json({ note: 'once' })
    first.assertStatus(201)
    second.assertStatus(201)
    assert.equal(second.header('idempotency-replayed'), 'true')
    assert.equal(await countRows(RulesetVersion.query().where('ruleset_id', id)), 1)
  })
})
