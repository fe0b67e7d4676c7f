import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import AuditLog from '#models/audit_log'
import CarrierAccount from '#models/carrier_account'
import { createAccount, resolveAccount } from '#services/plugins/carrier_account_service'
import { installCheckedPackage } from '#services/plugins/plugin_registry_service'
import { checkPackageFile } from '#services/plugins/package_checks'
import { createConsoleCast, createUser } from '#tests/helpers/fixtures'
import {
  ensureOwnFleet,
  OWN_FLEET_SECRET,
  ownFleetAccount,
  packFixture,
  removeScratch,
  uniqueId,
  statusOf,
} from '#tests/functional/plugins/support/plugin_packages'

const ACCOUNTS = '/api/v1/admin/carrier-accounts'

function fleetBody(overrides: Record<string, unknown> = {}, config: Record<string, unknown> = {}) {
  return {
    plugin_id: 'own_fleet',
    name: '自有车队 · 朝阳',
    config: { fleetId: 'F2002', apiKey: 'ak_live_777', apiSecret: OWN_FLEET_SECRET, ...config },
    ...overrides,
  }
}

async function secretOf(accountId: number) {
  const resolved = await resolveAccount(accountId)
  return resolved.account.config.apiSecret
}

/** Installs a fixture plugin under a fresh id (no HTTP) and returns its id. */
async function installFixture(name: string) {
  const packed = await packFixture(name, uniqueId(name))
  await installCheckedPackage(await checkPackageFile(packed.tarball), null)
  return packed.id
}

test.group('Carrier accounts | config and secrets', (group) => {
  group.setup(() => ensureOwnFleet())
  group.teardown(() => removeScratch())
  group.each.timeout(30_000)

  test('config is checked against the plugin schema; every error points at its field', async ({
    client,
    assert,
  }) => {
    const admin = await createUser('admin')
    const before = await CarrierAccount.query().count('* as total')
    const response = await client
      .post(ACCOUNTS)
      .bearerToken(admin.token)
      .json({
        plugin_id: 'own_fleet',
        name: 'Broken',
        config: { fleetId: 'F1', apiSecret: 'short', webhookToleranceS: 'soon', bogus: 1 },
      })
    response.assertStatus(422)
    const errors = response
      .body()
      .errors.map((e: { pointer: string; rule: string }) => [e.pointer, e.rule])
    assert.sameDeepMembers(errors, [
      ['/config/apiKey', 'required'],
      ['/config/apiSecret', 'minLength'],
      ['/config/webhookToleranceS', 'type'],
      ['/config/bogus', 'additionalProperties'],
    ])
    assert.match(response.body().detail, /own_fleet@1\.0\.0/)
    const after = await CarrierAccount.query().count('* as total')
    assert.equal(after[0].$extras.total, before[0].$extras.total)

    const envelope = await client
      .post(ACCOUNTS)
      .bearerToken(admin.token)
      .json({ plugin_id: 'Not A Plugin', config: 'nope' })
    envelope.assertStatus(422)
    const pointers = envelope.body().errors.map((e: { pointer: string }) => e.pointer)
    assert.includeMembers(pointers, ['/plugin_id', '/name', '/config'])

    const unknown = await client
      .post(ACCOUNTS)
      .bearerToken(admin.token)
      .json(fleetBody({ plugin_id: 'no_such_carrier' }))
    unknown.assertStatus(422)
    assert.deepInclude(unknown.body().errors[0], { pointer: '/plugin_id', rule: 'exists' })
  })

  test('secrets are encrypted at rest and never leave the API', async ({ client, assert }) => {
    const admin = await createUser('admin')
    const created = await client.post(ACCOUNTS).bearerToken(admin.token).json(fleetBody())
    created.assertStatus(201)
    const account = created.body().data
    assert.deepEqual(account.secrets, { apiSecret: { set: true } })
    // Defaults from the schema are filled in when the account is saved.
    assert.deepEqual(account.config, {
      fleetId: 'F2002',
      apiKey: 'ak_live_777',
      baseUrl: 'https://fleet-api.example.com',
      service: 'standard',
      webhookToleranceS: 300,
    })
    assert.notInclude(created.text(), OWN_FLEET_SECRET)

    // The raw row: no plaintext anywhere, yet the service decrypts it for plugin calls.
    const row = await db.from('carrier_accounts').where('id', account.id).firstOrFail()
    assert.notInclude(JSON.stringify(row), OWN_FLEET_SECRET)
    assert.notInclude(row.config, 'apiSecret')
    assert.match(row.secrets, /"apiSecret":"[^"]{40,}"/)
    const resolved = await resolveAccount(account.id)
    assert.equal(resolved.account.config.apiSecret, OWN_FLEET_SECRET)
    assert.equal(resolved.pluginId, 'own_fleet')

    // Neither reads, lists, updates nor the audit log show the secret.
    const shown = await client.get(`${ACCOUNTS}/${account.id}`).bearerToken(admin.token)
    const listed = await client
      .get(ACCOUNTS)
      .qs({ plugin_id: 'own_fleet' })
      .bearerToken(admin.token)
    const patched = await client
      .patch(`${ACCOUNTS}/${account.id}`)
      .bearerToken(admin.token)
      .json({ name: 'Renamed', config: { service: 'express' } })
    for (const response of [shown, listed, patched]) {
      response.assertStatus(200)
      assert.notInclude(response.text(), OWN_FLEET_SECRET)
    }
    assert.include(
      listed.body().data.map((a: { id: number }) => a.id),
      account.id
    )
    const audit = await AuditLog.query()
      .where('subject_type', 'carrier_account')
      .where('subject_id', String(account.id))
    assert.lengthOf(audit, 2)
    for (const entry of audit) assert.notInclude(JSON.stringify(entry.changes), OWN_FLEET_SECRET)
    assert.deepEqual(audit[0].changes?.secrets, { apiSecret: true })
  })

  test('PATCH keeps secrets it does not mention, replaces those it does, and revalidates', async ({
    client,
    assert,
  }) => {
    const admin = await createUser('admin')
    const account = await ownFleetAccount()

    const renamed = await client
      .patch(`${ACCOUNTS}/${account.id}`)
      .bearerToken(admin.token)
      .json({ city: '北京', config: { fleetId: 'F9' } })
    renamed.assertStatus(200)
    assert.equal(renamed.body().data.city, '北京')
    assert.equal(renamed.body().data.config.fleetId, 'F9')
    assert.deepEqual(renamed.body().data.secrets, { apiSecret: { set: true } })
    assert.equal(await secretOf(account.id), OWN_FLEET_SECRET)

    const rotated = await client
      .patch(`${ACCOUNTS}/${account.id}`)
      .bearerToken(admin.token)
      .json({ config: { apiSecret: 'sk_rotated_secret_99' } })
    rotated.assertStatus(200)
    assert.notInclude(rotated.text(), 'sk_rotated_secret_99')
    assert.equal(await secretOf(account.id), 'sk_rotated_secret_99')
    const rotation = await AuditLog.query()
      .where('subject_id', String(account.id))
      .where('action', 'carrier_account.update')
      .orderBy('id', 'desc')
      .firstOrFail()
    assert.deepEqual(rotation.changes, { 'config.apiSecret': true })

    const removal = await client
      .patch(`${ACCOUNTS}/${account.id}`)
      .bearerToken(admin.token)
      .json({ config: { apiKey: null, apiSecret: 'short' } })
    removal.assertStatus(422)
    assert.sameDeepMembers(
      removal.body().errors.map((e: { pointer: string; rule: string }) => [e.pointer, e.rule]),
      [
        ['/config/apiKey', 'required'],
        ['/config/apiSecret', 'minLength'],
      ]
    )
    // A refused PATCH changes nothing.
    const unchanged = await resolveAccount(account.id)
    assert.equal(unchanged.account.config.apiKey, 'ak_test_123')
    assert.equal(unchanged.account.config.apiSecret, 'sk_rotated_secret_99')
  })

  test('a store must belong to the account’s merchant', async ({ client, assert }) => {
    const { a, b, admin } = await createConsoleCast()
    const mismatch = await client
      .post(ACCOUNTS)
      .bearerToken(admin.token)
      .json(fleetBody({ merchant_id: a.merchant.id, store_id: b.stores[0].id }))
    mismatch.assertStatus(422)
    assert.deepInclude(mismatch.body().errors[0], { pointer: '/store_id', rule: 'sameMerchant' })

    const fromStore = await client
      .post(ACCOUNTS)
      .bearerToken(admin.token)
      .json(fleetBody({ store_id: b.stores[1].id }))
    fromStore.assertStatus(201)
    assert.equal(fromStore.body().data.merchant_id, b.merchant.id)
    assert.equal(fromStore.body().data.store_id, b.stores[1].id)

    const missing = await client
      .post(ACCOUNTS)
      .bearerToken(admin.token)
      .json(fleetBody({ merchant_id: 999999 }))
    missing.assertStatus(422)
    assert.deepInclude(missing.body().errors[0], { pointer: '/merchant_id', rule: 'exists' })
  })
})

test.group('Carrier accounts | who sees what', (group) => {
  group.setup(() => ensureOwnFleet())
  group.each.timeout(30_000)

  test('merchant users read only their own merchant’s accounts and change none', async ({
    client,
    assert,
  }) => {
    const { a, b, merchantA, operator, integrator } = await createConsoleCast()
    const ownAccount = await ownFleetAccount({ merchant_id: a.merchant.id })
    const otherAccount = await ownFleetAccount({ merchant_id: b.merchant.id })
    const platformAccount = await ownFleetAccount()

    const list = await client.get(ACCOUNTS).bearerToken(merchantA.token)
    list.assertStatus(200)
    assert.deepEqual(
      list.body().data.map((account: { id: number }) => account.id),
      [ownAccount.id]
    )
    assert.notInclude(list.text(), OWN_FLEET_SECRET)
    // Filtering for another merchant cannot widen the scope.
    const sneaky = await client
      .get(ACCOUNTS)
      .qs({ merchant_id: b.merchant.id })
      .bearerToken(merchantA.token)
    assert.lengthOf(sneaky.body().data, 0)

    assert.equal(
      await statusOf(client.get(`${ACCOUNTS}/${ownAccount.id}`).bearerToken(merchantA.token)),
      200
    )
    assert.equal(
      await statusOf(client.get(`${ACCOUNTS}/${otherAccount.id}`).bearerToken(merchantA.token)),
      404
    )
    assert.equal(
      await statusOf(client.get(`${ACCOUNTS}/${platformAccount.id}`).bearerToken(merchantA.token)),
      404
    )
    const write = await client
      .patch(`${ACCOUNTS}/${ownAccount.id}`)
      .bearerToken(merchantA.token)
      .json({ name: 'Mine now' })
    write.assertStatus(403)
    const create = await client
      .post(ACCOUNTS)
      .bearerToken(merchantA.token)
      .json(fleetBody({ merchant_id: a.merchant.id }))
    create.assertStatus(403)

    // Operators read everything (and filter by merchant); integrators see no accounts.
    const operatorList = await client
      .get(ACCOUNTS)
      .qs({ merchant_id: b.merchant.id })
      .bearerToken(operator.token)
    assert.deepEqual(
      operatorList.body().data.map((account: { id: number }) => account.id),
      [otherAccount.id]
    )
    assert.equal(await statusOf(client.get(ACCOUNTS).bearerToken(integrator.token)), 403)
    assert.equal(
      await statusOf(
        client.post(`${ACCOUNTS}/${otherAccount.id}/test`).bearerToken(operator.token)
      ),
      403
    )
  })

  test('deleting keeps the row for history; the account is gone from the API', async ({
    client,
    assert,
  }) => {
    const admin = await createUser('admin')
    const account = await ownFleetAccount()
    const removed = await client.delete(`${ACCOUNTS}/${account.id}`).bearerToken(admin.token)
    removed.assertStatus(204)
    assert.equal(
      await statusOf(client.get(`${ACCOUNTS}/${account.id}`).bearerToken(admin.token)),
      404
    )
    const row = await CarrierAccount.findOrFail(account.id)
    assert.isNotNull(row.deletedAt)
    const refused = await resolveAccount(account.id).catch((e) => e)
    assert.equal(refused.code, 'account_not_found')
  })
})

test.group('Carrier accounts | connection test', (group) => {
  group.setup(() => ensureOwnFleet())
  group.teardown(() => removeScratch())
  group.each.timeout(30_000)

  test('a working account reports the quote and the latency', async ({ client, assert }) => {
    const admin = await createUser('admin')
    const pluginId = await installFixture('good_v1')
    const { account } = await createAccount({
      plugin_id: pluginId,
      name: 'Test me',
      enabled: false,
      config: {},
    })

    const response = await client.post(`${ACCOUNTS}/${account.id}/test`).bearerToken(admin.token)
    response.assertStatus(200)
    const result = response.body().data
    assert.isTrue(result.ok)
    assert.isNull(result.error)
    assert.equal(result.quote.feeFen, 1000)
    assert.isAtLeast(result.latency_ms, 0)

    const shown = await client.get(`${ACCOUNTS}/${account.id}`).bearerToken(admin.token)
    assert.include(shown.body().data.last_test, { ok: true, error: null })
    assert.include(shown.body().data.health, { state: 'closed', healthy: true })
  })

  test('a failing plugin is a result with the error, not a failed request', async ({
    client,
    assert,
  }) => {
    const admin = await createUser('admin')
    const pluginId = await installFixture('throws')
    const { account } = await createAccount({ plugin_id: pluginId, name: 'Broken', config: {} })

    const response = await client.post(`${ACCOUNTS}/${account.id}/test`).bearerToken(admin.token)
    response.assertStatus(200)
    const result = response.body().data
    assert.isFalse(result.ok)
    assert.equal(result.error.name, 'PluginFailedError')
    assert.match(result.error.message, /boom/)
    const stored = await CarrierAccount.findOrFail(account.id)
    assert.isFalse(stored.lastTestOk)
    assert.match(stored.lastTestError!, /boom/)

    // The failure shows in the plugin's per-node health for this account.
    const plugin = await client.get(`/api/v1/admin/plugins/${pluginId}`).bearerToken(admin.token)
    const node = plugin.body().data.nodes.find((n: { this_node: boolean }) => n.this_node)
    const health = node.accounts.find((h: { account_id: number }) => h.account_id === account.id)
    assert.equal(health.failures, 1)
    assert.equal(health.last_failure.name, 'PluginFailedError')
    assert.equal(node.stats.failures, 1)
  })
})
