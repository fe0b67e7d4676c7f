import { test } from '@japa/runner'
import { readFile } from 'node:fs/promises'
import { definePlugin, mapCarrierStatus } from '#sdk/define_plugin'
import { CapacityError, deserializeCarrierError, ProtocolError, RejectedError } from '#sdk/errors'
import { MANIFEST_SCHEMA } from '#sdk/manifest_schema'
import { FORBIDDEN_MODULES } from '#sdk/packaging/entry_check'
import {
  accountConfigProblems,
  manifestProblems,
  secretFields,
} from '#sdk/packaging/manifest_validator'
import { isForwardMove } from '#sdk/status'
import { createTestContext, StubHttp } from '#sdk/testing/stub_http'
import { OWN_FLEET_DIR } from '#tests/unit/carriers/support/plugin_fixtures'

async function ownFleetManifest() {
  return JSON.parse(await readFile(new URL('manifest.json', `file://${OWN_FLEET_DIR}`), 'utf8'))
}

test.group('SDK | manifest', () => {
  test('the published manifest.schema.json is the schema the validator uses', async ({
    assert,
  }) => {
    const published = JSON.parse(
      await readFile(new URL('../../../plugins/sdk/manifest.schema.json', import.meta.url), 'utf8')
    )
    assert.deepEqual(published, JSON.parse(JSON.stringify(MANIFEST_SCHEMA)))
  })

  test('a valid manifest has no problems; its secrets are listed', async ({ assert }) => {
    const manifest = await ownFleetManifest()
    assert.deepEqual(manifestProblems(manifest), [])
    assert.deepEqual(secretFields(manifest), ['apiSecret'])
  })

  test('problems name the field at fault', async ({ assert }) => {
    const manifest = await ownFleetManifest()
    const problems = manifestProblems({
      ...manifest,
      id: 'Own Fleet',
      capabilities: ['quote', 'teleport'],
      egress: ['https://fleet.example.com/'],
      entry: '../outside.js',
      extra: true,
    })
    assert.includeMembers(problems, [
      'id must be a lowercase slug (a-z, 0-9, "_" or "-", starting with a letter), e.g. "own_fleet"',
      'egress.0 must be a lowercase host name, "*.domain" or "host:port"',
      'entry must be a relative path to a .js or .mjs file inside the package (no "..", no leading "/")',
      '(root) has an unknown field "extra"',
    ])
    assert.isTrue(
      problems.some((problem) => problem.startsWith('capabilities.1 must be one of "quote"'))
    )
    const { name, ...withoutName } = manifest
    assert.include(manifestProblems(withoutName), 'name is required')
    assert.isDefined(name)
  })

  test('config form rules: secrets use a password field, selects need options, hostApi must fit', async ({
    assert,
  }) => {
    const manifest = await ownFleetManifest()
    manifest.configSchema.properties.apiSecret['x-ui'].component = 'input'
    delete manifest.configSchema.properties.service.enum
    manifest.configSchema.required.push('region')
    manifest.hostApi = '>=2'
    assert.sameMembers(manifestProblems(manifest), [
      'hostApi ">=2" is not satisfied by this hub\'s plugin API 1.0.0; build against a compatible SDK',
      'configSchema.required lists "region", which is not in configSchema.properties',
      'configSchema.properties.apiSecret is x-secret, so its x-ui.component must be "password" or "textarea"',
      'configSchema.properties.service uses a "select" but has no enum of options',
    ])
  })

  test('account configs are validated against configSchema with defaults filled', async ({
    assert,
  }) => {
    const manifest = await ownFleetManifest()
    const config: Record<string, unknown> = {
      baseUrl: 'https://fleet-api.example.com',
      fleetId: 'F1',
      apiKey: 'k',
      apiSecret: 'longenough',
    }
    assert.deepEqual(accountConfigProblems(manifest, config), [])
    assert.equal(config.service, 'standard')
    assert.sameMembers(
      accountConfigProblems(manifest, {
        baseUrl: 'ftp://x',
        fleetId: 'F1',
        apiKey: 'k',
        apiSecret: 'short',
        bogus: 1,
      }),
      [
        'config.baseUrl must match pattern "^https?://"',
        'config.apiSecret must NOT have fewer than 8 characters',
        'config has an unknown field "bogus"',
      ]
    )
  })

  test('the worker bootstrap refuses every module the entry check forbids', async ({ assert }) => {
    const bootstrap = await readFile(
      new URL('../../../app/carriers/worker_bootstrap.ts', import.meta.url),
      'utf8'
    )
    for (const name of FORBIDDEN_MODULES)
      assert.include(bootstrap, `'${name}'`, `${name} missing from the bootstrap`)
  })
})

test.group('SDK | definePlugin, errors, statuses', () => {
  const statusMap = { '1': 'dispatching', '2': 'accepted', '4': 'delivered' } as const

  test('events get their unified status from the status map; unknown codes are protocol errors', async ({
    assert,
  }) => {
    const plugin = definePlugin({
      statusMap,
      create: () => ({
        track: async () =>
          [
            { occurredAt: '2025-01-01T00:00:00Z', carrierStatus: '2' },
            { occurredAt: '2025-01-01T00:01:00Z', carrierStatus: '4', status: 'delivered' },
          ] as any,
        verifyWebhook: async () =>
          [
            {
              eventId: 'e',
              carrierOrderId: 'c',
              occurredAt: '2025-01-01T00:00:00Z',
              carrierStatus: '9',
            },
          ] as any,
      }),
    })
    const adapter = plugin.create(createTestContext({ config: {}, http: new StubHttp() }))
    const events = await adapter.track!({ orderId: 'o', carrierOrderId: 'c' })
    assert.deepEqual(
      events.map((event) => event.status),
      ['accepted', 'delivered']
    )
    await assert.rejects(
      () => adapter.verifyWebhook!({ headers: {}, body: '', query: {} }),
      ProtocolError
    )
    assert.equal(mapCarrierStatus(statusMap, 1), 'dispatching')
    assert.throws(
      () => definePlugin({ statusMap: { x: 'teleported' as any }, create: () => ({}) }),
      /not a unified status/
    )
  })

  test('typed errors survive JSON and keep their meaning', ({ assert }) => {
    const original = new CapacityError('no riders near the store', {
      code: '2005',
      carrierMessage: '运力不足',
    })
    const rebuilt = deserializeCarrierError(JSON.parse(JSON.stringify(original)))!
    assert.instanceOf(rebuilt, CapacityError)
    assert.equal(rebuilt.code, '2005')
    assert.equal(rebuilt.carrierMessage, '运力不足')
    assert.isTrue(rebuilt.retryable)
    assert.isFalse(rebuilt.countsAsFailure)
    assert.equal(new RejectedError('x').code, 'rejected')
    assert.isUndefined(deserializeCarrierError({ name: 'Nope', code: 'x', message: 'y' }))
  })

  test('statuses only move forward', ({ assert }) => {
    assert.isTrue(isForwardMove('accepted', 'picked_up'))
    assert.isFalse(isForwardMove('picked_up', 'accepted'))
    assert.isFalse(isForwardMove('accepted', 'accepted'))
    assert.isFalse(isForwardMove('delivered', 'cancelled'))
    assert.isTrue(isForwardMove('delivering', 'failed'))
  })

  test('the stub HTTP harness records requests and enforces egress', async ({ assert }) => {
    const http = new StubHttp([{ status: 201, body: { ok: true } }], ['api.example.com'])
    const response = await http.fetch('https://api.example.com/v1/x', {
      method: 'POST',
      headers: { 'X-Sign': 'abc' },
      body: '{}',
    })
    assert.equal(response.status, 201)
    assert.deepEqual(await response.json(), { ok: true })
    assert.deepEqual(http.requests, [
      {
        url: 'https://api.example.com/v1/x',
        method: 'POST',
        headers: { 'x-sign': 'abc' },
        body: '{}',
      },
    ])
    await assert.rejects(() => http.fetch('https://other.example.com/'), /Egress denied/)
    await assert.rejects(
      () => new StubHttp([], ['api.example.com']).fetch('https://api.example.com/'),
      /No stubbed response left/
    )
  })
})
