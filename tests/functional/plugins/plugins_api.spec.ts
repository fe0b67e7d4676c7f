import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { test } from '@japa/runner'
import AuditLog from '#models/audit_log'
import PluginPackage from '#models/plugin_package'
import InstalledPlugin from '#models/installed_plugin'
import {
  createAccount,
  callCarrier,
  SAMPLE_TEST_ORDER,
} from '#services/plugins/carrier_account_service'
import { CarrierAccountError } from '#carriers/registry/account_errors'
import { PluginUnavailableError } from '#carriers/host_errors'
import { createConsoleCast, createUser } from '#tests/helpers/fixtures'
import {
  ensureOwnFleet,
  handMadePackage,
  localNode,
  packFixture,
  pause,
  removeScratch,
  uniqueId,
  statusOf,
} from '#tests/functional/plugins/support/plugin_packages'

const PLUGINS = '/api/v1/admin/plugins'

function thisNode(plugin: { nodes: Array<{ this_node: boolean }> }) {
  return plugin.nodes.find((node) => node.this_node) as Record<string, any> | undefined
}

async function quoteFee(accountId: number) {
  const quote = await callCarrier(accountId, 'quote', [SAMPLE_TEST_ORDER])
  return quote.feeFen
}

/** Quote calls back to back from `concurrency` loops until stopped; counts outcomes. */
function continuousQuotes(accountId: number, concurrency: number) {
  let running = true
  const outcome = { ok: 0, failed: 0, fees: new Set<number>(), errors: [] as string[] }
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) {
      try {
        const quote = await callCarrier(accountId, 'quote', [SAMPLE_TEST_ORDER])
        outcome.ok++
        outcome.fees.add(quote.feeFen)
      } catch (error) {
        outcome.failed++
        outcome.errors.push((error as Error).message)
      }
    }
  })
  return {
    async stop() {
      running = false
      await Promise.all(loops)
      return outcome
    },
  }
}

test.group('Plugins API | install, upgrade, switch, remove', (group) => {
  group.setup(async () => {
    await localNode()
  })
  group.teardown(() => removeScratch())
  group.each.timeout(30_000)

  test('an uploaded package is installed, loaded on this node and audited', async ({
    client,
    assert,
  }) => {
    const { admin, operator, integrator } = await createConsoleCast()
    const v1 = await packFixture('good_v1', uniqueId())

    const installed = await client
      .post(PLUGINS)
      .bearerToken(admin.token)
      .file('package', v1.tarball)
    installed.assertStatus(201)
    const plugin = installed.body().data
    assert.equal(plugin.id, v1.id)
    assert.equal(plugin.version, '1.0.0')
    assert.equal(plugin.status, 'installed')
    assert.isTrue(plugin.enabled)
    assert.equal(plugin.revision, 1)
    assert.deepEqual(plugin.capabilities, ['quote'])
    assert.lengthOf(plugin.versions, 1)
    assert.include(thisNode(plugin), { loaded_version: '1.0.0', state: 'ready', in_sync: true })

    // The package bytes live in the database, so any node can unpack them.
    const stored = await PluginPackage.query().where('plugin_id', v1.id).firstOrFail()
    assert.equal(stored.sha256, plugin.sha256)
    assert.isAbove(stored.tarball.length, 100)

    for (const reader of [operator, integrator]) {
      const list = await client.get(PLUGINS).bearerToken(reader.token)
      list.assertStatus(200)
      const listed = list.body().data.find((p: { id: string }) => p.id === v1.id)
      assert.equal(listed.version, '1.0.0')
      assert.equal(thisNode(listed)?.loaded_version, '1.0.0')
    }

    const audit = await AuditLog.query()
      .where('subject_type', 'plugin')
      .where('subject_id', v1.id)
      .firstOrFail()
    assert.equal(audit.action, 'plugin.install')
    assert.equal(audit.actorId, admin.user.id)
    assert.deepEqual(audit.changes?.version, { from: null, to: '1.0.0' })
  })

  test('only admins change plugins; merchants cannot even read them', async ({ client }) => {
    const { operator, integrator, merchantA } = await createConsoleCast()
    const v1 = await packFixture('good_v1', uniqueId())

    for (const user of [operator, integrator, merchantA]) {
      const upload = await client.post(PLUGINS).bearerToken(user.token).file('package', v1.tarball)
      upload.assertStatus(403)
    }
    const merchantRead = await client.get(PLUGINS).bearerToken(merchantA.token)
    merchantRead.assertStatus(403)
    const anonymous = await client.get(PLUGINS)
    anonymous.assertStatus(401)
    const operatorDisable = await client
      .post(`${PLUGINS}/own_fleet/disable`)
      .bearerToken(operator.token)
    operatorDisable.assertStatus(403)
  })

  test('upgrading v1 to v2 while quotes run fails no call', async ({ client, assert }) => {
    const admin = await createUser('admin')
    const id = uniqueId()
    const v1 = await packFixture('good_v1', id)
    const v2 = await packFixture('good_v2', id)
    assert.equal(
      await statusOf(client.post(PLUGINS).bearerToken(admin.token).file('package', v1.tarball)),
      201
    )
    const { account } = await createAccount({ plugin_id: id, name: 'Load test', config: {} })

    const load = continuousQuotes(account.id, 8)
    await pause(200)
    const upgraded = await client.post(PLUGINS).bearerToken(admin.token).file('package', v2.tarball)
    await pause(200)
    const outcome = await load.stop()

    upgraded.assertStatus(200)
    const plugin = upgraded.body().data
    assert.equal(plugin.version, '2.0.0')
    assert.equal(plugin.revision, 2)
    assert.include(thisNode(plugin), { loaded_version: '2.0.0', state: 'ready' })
    assert.deepEqual(
      plugin.versions.map((v: { version: string; active: boolean }) => [v.version, v.active]),
      [
        ['2.0.0', true],
        ['1.0.0', false],
      ]
    )
    assert.equal(outcome.failed, 0, outcome.errors.slice(0, 3).join('; '))
    assert.isAbove(outcome.ok, 20)
    assert.sameMembers([...outcome.fees], [1000, 2000])

    const audit = await AuditLog.query()
      .where('subject_id', id)
      .where('action', 'plugin.upgrade')
      .firstOrFail()
    assert.deepEqual(audit.changes?.version, { from: '1.0.0', to: '2.0.0' })
  })

  test('the same version again is a 409, an older one too; rollback picks any stored version', async ({
    client,
    assert,
  }) => {
    const admin = await createUser('admin')
    const id = uniqueId()
    const v1 = await packFixture('good_v1', id)
    const v2 = await packFixture('good_v2', id)
    await client.post(PLUGINS).bearerToken(admin.token).file('package', v1.tarball)
    await client.post(PLUGINS).bearerToken(admin.token).file('package', v2.tarball)
    const { account } = await createAccount({ plugin_id: id, name: 'Rollback', config: {} })

    const again = await client.post(PLUGINS).bearerToken(admin.token).file('package', v2.tarball)
    again.assertStatus(409)
    assert.match(again.body().detail, /already the active version/)
    const older = await client.post(PLUGINS).bearerToken(admin.token).file('package', v1.tarball)
    older.assertStatus(409)
    assert.match(older.body().detail, /older than the active 2\.0\.0/)

    const rolledBack = await client
      .post(`${PLUGINS}/${id}/rollback`)
      .bearerToken(admin.token)
      .json({ version: '1.0.0' })
    rolledBack.assertStatus(200)
    assert.equal(rolledBack.body().data.version, '1.0.0')
    assert.equal(thisNode(rolledBack.body().data)?.loaded_version, '1.0.0')
    assert.equal(await quoteFee(account.id), 1000)

    const unknown = await client
      .post(`${PLUGINS}/${id}/rollback`)
      .bearerToken(admin.token)
      .json({ version: '9.9.9' })
    unknown.assertStatus(422)
    assert.deepInclude(unknown.body().errors[0], { pointer: '/version', rule: 'exists' })
    const active = await client
      .post(`${PLUGINS}/${id}/rollback`)
      .bearerToken(admin.token)
      .json({ version: '1.0.0' })
    active.assertStatus(409)
    const malformed = await client
      .post(`${PLUGINS}/${id}/rollback`)
      .bearerToken(admin.token)
      .json({ version: 'latest' })
    malformed.assertStatus(422)
    assert.equal(malformed.body().errors[0].pointer, '/version')
  })

  test('disable refuses calls with a clear error; enable brings the plugin back', async ({
    client,
    assert,
  }) => {
    const admin = await createUser('admin')
    const v1 = await packFixture('good_v1', uniqueId())
    await client.post(PLUGINS).bearerToken(admin.token).file('package', v1.tarball)
    const { account } = await createAccount({ plugin_id: v1.id, name: 'Switch', config: {} })
    const node = await localNode()

    const disabled = await client.post(`${PLUGINS}/${v1.id}/disable`).bearerToken(admin.token)
    disabled.assertStatus(200)
    assert.isFalse(disabled.body().data.enabled)
    assert.equal(thisNode(disabled.body().data)?.state, 'disabled')

    const refused = await callCarrier(account.id, 'quote', [SAMPLE_TEST_ORDER]).catch((e) => e)
    assert.instanceOf(refused, CarrierAccountError)
    assert.equal(refused.code, 'plugin_disabled')
    assert.match(refused.message, new RegExp(`Plugin "${v1.id}" .* is disabled`))
    // The host itself refuses too, whoever calls it.
    const hostRefusal = await node.host
      .call(v1.id, 'quote', [SAMPLE_TEST_ORDER], {
        account: { id: String(account.id), config: {} },
      })
      .catch((e) => e)
    assert.instanceOf(hostRefusal, PluginUnavailableError)
    assert.match(hostRefusal.message, /is disabled/)

    // Disabling twice changes nothing (no new revision, no second audit entry).
    const twice = await client.post(`${PLUGINS}/${v1.id}/disable`).bearerToken(admin.token)
    assert.equal(twice.body().data.revision, disabled.body().data.revision)

    const enabled = await client.post(`${PLUGINS}/${v1.id}/enable`).bearerToken(admin.token)
    enabled.assertStatus(200)
    assert.isTrue(enabled.body().data.enabled)
    assert.equal(thisNode(enabled.body().data)?.state, 'ready')
    assert.equal(await quoteFee(account.id), 1000)

    const actions = await AuditLog.query().where('subject_id', v1.id).orderBy('id')
    assert.deepEqual(
      actions.map((a) => a.action),
      ['plugin.install', 'plugin.disable', 'plugin.enable']
    )
  })

  test('uninstall unloads the plugin and deletes its files but keeps its history', async ({
    client,
    assert,
  }) => {
    const admin = await createUser('admin')
    const v1 = await packFixture('good_v1', uniqueId())
    await client.post(PLUGINS).bearerToken(admin.token).file('package', v1.tarball)
    const { account } = await createAccount({ plugin_id: v1.id, name: 'History', config: {} })
    const node = await localNode()
    assert.isTrue(existsSync(join(node.config.pluginsDir, v1.id, '1.0.0')))

    const removed = await client.delete(`${PLUGINS}/${v1.id}`).bearerToken(admin.token)
    removed.assertStatus(200)
    assert.equal(removed.body().data.status, 'uninstalled')
    assert.isNotNull(removed.body().data.uninstalled_at)
    assert.isUndefined(node.host.loaded(v1.id))
    assert.isFalse(existsSync(join(node.config.pluginsDir, v1.id)))

    const installedOnly = await client.get(PLUGINS).bearerToken(admin.token)
    assert.notInclude(
      installedOnly.body().data.map((p: { id: string }) => p.id),
      v1.id
    )
    const everything = await client
      .get(PLUGINS)
      .qs({ include_uninstalled: true })
      .bearerToken(admin.token)
    assert.include(
      everything.body().data.map((p: { id: string }) => p.id),
      v1.id
    )
    // The name stays readable for orders and accounts that used the carrier.
    const history = await client.get(`${PLUGINS}/${v1.id}`).bearerToken(admin.token)
    history.assertStatus(200)
    assert.deepEqual(history.body().data.name, { 'zh-CN': '测试承运商', 'en': 'Test carrier' })
    assert.lengthOf(history.body().data.versions, 1)
    const accountRead = await client
      .get(`/api/v1/admin/carrier-accounts/${account.id}`)
      .bearerToken(admin.token)
    accountRead.assertStatus(200)
    const refused = await callCarrier(account.id, 'quote', [SAMPLE_TEST_ORDER]).catch((e) => e)
    assert.equal(refused.code, 'plugin_uninstalled')

    // Uploading again installs it again, with the account still attached.
    const reinstalled = await client
      .post(PLUGINS)
      .bearerToken(admin.token)
      .file('package', v1.tarball)
    reinstalled.assertStatus(201)
    assert.equal(reinstalled.body().data.status, 'installed')
    assert.equal(await quoteFee(account.id), 1000)
    const row = await InstalledPlugin.findByOrFail('plugin_id', v1.id)
    assert.equal(row.revision, 3)
  })

  test('unknown plugin ids are 404s', async ({ client, assert }) => {
    const admin = await createUser('admin')
    assert.equal(
      await statusOf(client.get(`${PLUGINS}/no_such_plugin`).bearerToken(admin.token)),
      404
    )
    assert.equal(
      await statusOf(client.post(`${PLUGINS}/no_such_plugin/disable`).bearerToken(admin.token)),
      404
    )
    assert.equal(
      await statusOf(client.delete(`${PLUGINS}/no_such_plugin`).bearerToken(admin.token)),
      404
    )
    assert.equal(await statusOf(client.get(`${PLUGINS}/NOT-A-SLUG`).bearerToken(admin.token)), 404)
  })
})

test.group('Plugins API | bad packages are refused with the problem named', (group) => {
  group.setup(async () => {
    await localNode()
  })
  group.teardown(() => removeScratch())
  group.each.timeout(30_000)

  test('{title}')
    .with([
      {
        title: 'a hostApi range this hub does not satisfy',
        make: (id: string) => handMadePackage({ id, manifest: (m) => (m.hostApi = '^2.0.0') }),
        expect: /hostApi "\^2\.0\.0" is not satisfied by this hub's plugin API 1\.0\.0/,
      },
      {
        title: 'a tampered entry (integrity mismatch)',
        make: (id: string) =>
          handMadePackage({
            id,
            tamper: (files) => files.set('index.js', Buffer.from('export default {}\n')),
          }),
        expect: /integrity mismatch for index\.js/,
      },
      {
        title: 'a path escaping the package folder',
        make: (id: string) =>
          handMadePackage({
            id,
            extraEntries: [{ path: 'package/../evil.js', content: 'process.exit(1)' }],
          }),
        expect: /escapes the package folder with "\.\."/,
      },
      {
        title: 'an entry importing an npm package',
        make: (id: string) =>
          handMadePackage({ id, entry: "import axios from 'axios'\nexport default axios\n" }),
        expect: /index\.js imports "axios"/,
      },
      {
        title: 'a declared capability the code does not implement',
        make: (id: string) =>
          handMadePackage({ id, manifest: (m) => (m.capabilities = ['quote', 'create']) }),
        expect: /declares capabilities it does not implement: create\(\)/,
      },
      {
        title: 'bytes that are not a tarball',
        make: async (id: string) => {
          const file = await handMadePackage({ id })
          const { writeFile } = await import('node:fs/promises')
          await writeFile(file, 'this is not a tarball at all')
          return file
        },
        expect: /tarball|manifest\.json is missing/,
      },
    ])
    .run(async ({ client, assert }, { make, expect }) => {
      const admin = await createUser('admin')
      const id = uniqueId('bad')
      const response = await client
        .post(PLUGINS)
        .bearerToken(admin.token)
        .file('package', await make(id))
      response.assertStatus(422)
      const body = response.body()
      assert.equal(body.type, 'https://courier-hub.dev/problems/invalid-package')
      assert.match(body.detail, expect)
      assert.isTrue(body.errors.some((e: { message: string }) => expect.test(e.message)))
      assert.isTrue(body.errors.every((e: { pointer: string }) => e.pointer === '/package'))
      // Nothing was written.
      assert.isNull(await PluginPackage.findBy('plugin_id', id))
      assert.isNull(await InstalledPlugin.findBy('plugin_id', id))
    })

  test('a request without the package field names the field', async ({ client, assert }) => {
    const admin = await createUser('admin')
    const response = await client.post(PLUGINS).bearerToken(admin.token).field('something', 'else')
    response.assertStatus(422)
    assert.deepInclude(response.body().errors[0], { pointer: '/package', rule: 'required' })
  })
})

test.group('Plugins API | account form schema', (group) => {
  group.setup(() => ensureOwnFleet())
  group.teardown(() => removeScratch())
  group.each.timeout(60_000)

  test('labels and help come in one language, chosen by Accept-Language', async ({
    client,
    assert,
  }) => {
    const operator = await createUser('operator')
    const url = `${PLUGINS}/own_fleet/config-schema`

    const english = await client
      .get(url)
      .header('accept-language', 'en-US,en;q=0.9,zh-CN;q=0.5')
      .bearerToken(operator.token)
    english.assertStatus(200)
    english.assertHeader('content-language', 'en')
    const en = english.body().data
    assert.equal(en.language, 'en')
    assert.equal(en.name, 'Own fleet')
    assert.deepEqual(en.schema.properties.apiSecret['x-ui'], {
      component: 'password',
      label: 'API secret',
      help: 'Signs requests and verifies callbacks',
      order: 4,
    })
    assert.equal(en.schema.properties.fleetId['x-ui'].label, 'Fleet ID')

    const chinese = await client
      .get(url)
      .header('accept-language', 'zh-CN,zh;q=0.9')
      .bearerToken(operator.token)
    const zh = chinese.body().data
    assert.equal(zh.language, 'zh-CN')
    assert.equal(zh.name, '自有骑手')
    assert.equal(zh.schema.properties.apiSecret['x-ui'].label, 'API 密钥')
    assert.equal(zh.schema.properties.apiSecret['x-ui'].help, '用于请求签名和回调验签')

    // No header, or a language the console does not have: Chinese.
    const fallback = await client.get(url).bearerToken(operator.token)
    assert.equal(fallback.body().data.language, 'zh-CN')
    const french = await client
      .get(url)
      .header('accept-language', 'fr-FR')
      .bearerToken(operator.token)
    assert.equal(french.body().data.schema.properties.fleetId['x-ui'].label, '车队编号')
    // English preferred by quality value even when listed second.
    const ranked = await client
      .get(url)
      .header('accept-language', 'zh-CN;q=0.3, en;q=0.8')
      .bearerToken(operator.token)
    assert.equal(ranked.body().data.language, 'en')

    // Secrets are marked; the rest of the schema is the manifest's.
    assert.deepEqual(zh.secret_fields, ['apiSecret'])
    assert.isTrue(zh.schema.properties.apiSecret['x-secret'])
    assert.isTrue(zh.schema.properties.apiSecret.writeOnly)
    assert.notProperty(zh.schema.properties.apiKey, 'writeOnly')
    assert.deepEqual(zh.schema.required, ['baseUrl', 'fleetId', 'apiKey', 'apiSecret'])
    assert.deepEqual(zh.schema.properties.service.enum, ['standard', 'express'])
    assert.notInclude(JSON.stringify(zh), '"en"')
  })
})
