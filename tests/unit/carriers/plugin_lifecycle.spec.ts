import { test } from '@japa/runner'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PluginLoadError, PluginUnavailableError } from '#carriers/host_errors'
import type { PluginHost } from '#carriers/plugin_host'
import {
  ACCOUNT,
  copyPlugin,
  fixturePlugin,
  SAMPLE_ORDER,
  scratchDir,
  testHost,
} from '#tests/unit/carriers/support/plugin_fixtures'

/** Fires quote calls back to back from `concurrency` loops until stopped; counts outcomes. */
function continuousLoad(host: PluginHost, concurrency: number) {
  let running = true
  const outcome = { ok: 0, failed: 0, fees: new Set<number>(), errors: [] as string[] }
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) {
      try {
        const quote = await host.call('good_carrier', 'quote', [SAMPLE_ORDER], { account: ACCOUNT })
        outcome.ok++
        outcome.fees.add(quote.feeFen)
      } catch (error) {
        outcome.failed++
        outcome.errors.push((error as Error).message)
      }
    }
  })
  return {
    outcome,
    async stop() {
      running = false
      await Promise.all(loops)
      return outcome
    },
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

test.group('Plugin lifecycle | blue/green and draining', (group) => {
  let host: PluginHost
  group.each.setup(() => {
    host = testHost({ callTimeoutMs: 5_000 })
    return () => host.shutdown()
  })
  group.each.timeout(30_000)

  test('upgrading under continuous load fails no call', async ({ assert }) => {
    await host.load(fixturePlugin('good_v1'))
    const load = continuousLoad(host, 16)
    await pause(150)
    await host.upgrade('good_carrier', fixturePlugin('good_v2'))
    await pause(150)
    await host.upgrade('good_carrier', fixturePlugin('good_v1'))
    await pause(150)
    const outcome = await load.stop()

    assert.equal(outcome.failed, 0, outcome.errors.slice(0, 3).join('\n'))
    assert.isAbove(outcome.ok, 200)
    assert.deepEqual([...outcome.fees].sort(), [1000, 2000], 'both versions answered')
    const [status] = await host.status()
    assert.equal(status.version, '1.0.0')
    assert.equal(status.drainingWorkers, 0)
  })

  test('a version that cannot load leaves the running one serving', async ({ assert, cleanup }) => {
    await host.load(fixturePlugin('good_v1'))
    const scratch = await scratchDir(cleanup)
    const broken = await copyPlugin('good_v1', scratch, (manifest) => {
      manifest.version = '1.1.0'
      manifest.capabilities = ['quote', 'track']
    })
    await assert.rejects(
      () => host.upgrade('good_carrier', broken),
      /declares capabilities it does not implement: track\(\)/
    )
    const quote = await host.call('good_carrier', 'quote', [SAMPLE_ORDER], { account: ACCOUNT })
    assert.equal(quote.feeFen, 1000)
    assert.equal(host.loaded('good_carrier')?.version, '1.0.0')
  })

  test('disable lets calls in flight finish, then refuses new ones', async ({ assert }) => {
    await host.load(fixturePlugin('good_v1'))
    const inFlight = Array.from({ length: 20 }, () =>
      host.call('good_carrier', 'quote', [SAMPLE_ORDER], { account: ACCOUNT })
    )
    await host.disable('good_carrier')
    const results = await Promise.allSettled(inFlight)
    assert.deepEqual(
      results.map((result) => result.status),
      Array(20).fill('fulfilled')
    )
    await assert.rejects(
      () => host.call('good_carrier', 'quote', [SAMPLE_ORDER], { account: ACCOUNT }),
      /is disabled/
    )
    const [status] = await host.status()
    assert.equal(status.state, 'disabled')
    assert.isFalse(status.enabled)
    assert.isNull(status.worker)

    await host.enable('good_carrier')
    const quote = await host.call('good_carrier', 'quote', [SAMPLE_ORDER], { account: ACCOUNT })
    assert.equal(quote.feeFen, 1000)
  })

  test('reconcile loads, upgrades, disables and unloads to match the desired state', async ({
    assert,
  }) => {
    const first = await host.reconcile([
      { dir: fixturePlugin('good_v1'), enabled: true },
      { dir: fixturePlugin('throws'), enabled: true },
    ])
    assert.deepEqual(
      first.map((result) => [result.id, result.action]),
      [
        ['good_carrier', 'load'],
        ['hostile_throws', 'load'],
      ]
    )
    const second = await host.reconcile([
      { dir: fixturePlugin('good_v2'), enabled: true },
      { dir: fixturePlugin('throws'), enabled: false },
    ])
    assert.deepEqual(
      second.map((result) => [result.id, result.action, result.version]),
      [
        ['good_carrier', 'upgrade', '2.0.0'],
        ['hostile_throws', 'disable', '0.1.0'],
      ]
    )
    const third = await host.reconcile([{ dir: fixturePlugin('good_v2'), enabled: true }])
    assert.deepEqual(
      third.map((result) => [result.id, result.action]),
      [
        ['good_carrier', 'none'],
        ['hostile_throws', 'unload'],
      ]
    )
    const statuses = await host.status()
    assert.deepEqual(
      statuses.map((status) => [status.id, status.version, status.state]),
      [['good_carrier', '2.0.0', 'ready']]
    )
  })

  test('reconcile reports a broken package without stopping the others', async ({
    assert,
    cleanup,
  }) => {
    const scratch = await scratchDir(cleanup)
    const broken = await copyPlugin('good_v1', scratch, (manifest) => {
      manifest.hostApi = '^2.0.0'
    })
    const results = await host.reconcile([
      { dir: broken, enabled: true },
      { dir: fixturePlugin('throws'), enabled: true },
    ])
    assert.match(
      results[0].error!,
      /hostApi "\^2\.0\.0" is not satisfied by this hub's plugin API 1\.0\.0/
    )
    assert.equal(results[1].action, 'load')
  })

  test('loading the same id twice is refused; status reports memory per worker', async ({
    assert,
  }) => {
    await host.load(fixturePlugin('good_v1'))
    await assert.rejects(() => host.load(fixturePlugin('good_v2')), PluginLoadError)
    const [status] = await host.status()
    assert.isAbove(status.worker!.heap!.usedBytes, 1_000_000)
    assert.isBelow(status.worker!.heap!.usedBytes, 40_000_000)
    assert.equal(status.worker!.heap!.limitBytes > 0, true)
  })

  test('capabilities the manifest does not declare are refused before reaching the plugin', async ({
    assert,
  }) => {
    await host.load(fixturePlugin('good_v1'))
    const ref = { orderId: 'o', carrierOrderId: 'c' }
    await assert.rejects(
      () => host.call('good_carrier', 'track', [ref], { account: ACCOUNT }),
      PluginUnavailableError
    )
    await assert.rejects(
      () => host.call('nope', 'quote', [SAMPLE_ORDER], { account: ACCOUNT }),
      /not loaded/
    )
    const [status] = await host.status()
    assert.equal(status.calls, 0)
    assert.isUndefined(host.health('good_carrier', ACCOUNT.id), 'refusals do not touch the breaker')
  })
})

test.group('Plugin lifecycle | host fetch', (group) => {
  let host: PluginHost
  let server: Server
  let port: number
  const seen: Array<{ method?: string; url?: string; signature?: string; body: string }> = []

  group.setup(async () => {
    server = createServer((request, response) => {
      let body = ''
      request.on('data', (chunk) => (body += chunk))
      request.on('end', () => {
        seen.push({
          method: request.method,
          url: request.url,
          signature: request.headers['x-fleet-signature'] as string,
          body,
        })
        if (request.url?.startsWith('/redirect')) {
          response.writeHead(302, { location: 'https://elsewhere.example.org/' }).end()
          return
        }
        if (request.url?.startsWith('/slow')) return // never answers
        response.writeHead(200, { 'content-type': 'application/json' })
        response.end(
          JSON.stringify({
            code: 0,
            message: 'ok',
            data: {
              quote_id: 'Q-1',
              fee: '9.90',
              distance_m: 800,
              pickup_eta_s: 300,
              dropoff_eta_s: 900,
              expires_at: 1_900_000_000,
            },
          })
        )
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
    return () => new Promise<void>((resolve) => server.close(() => resolve()))
  })
  group.each.setup(() => {
    host = testHost({
      callTimeoutMs: 3_000,
      extraEgress: [`127.0.0.1:${port}`],
      fetch: { timeoutCapMs: 400 },
    })
    return () => host.shutdown()
  })

  async function loadOwnFleet(cleanup: (fn: () => Promise<void>) => void) {
    const { pack } = await import('#sdk/packaging/pack')
    const { installPackage } = await import('#carriers/package_installer')
    const { OWN_FLEET_DIR } = await import('#tests/unit/carriers/support/plugin_fixtures')
    const scratch = await scratchDir(cleanup)
    const packed = await pack(OWN_FLEET_DIR, { outDir: scratch })
    const installed = await installPackage(packed.tarball, scratch)
    await host.load(installed.dir)
  }

  function fleetAccount(path = '') {
    return {
      id: 'fleet-acct',
      config: {
        baseUrl: `http://127.0.0.1:${port}${path}`,
        fleetId: 'F1',
        apiKey: 'ak',
        apiSecret: 'secret-123456',
      },
    }
  }

  test('a packed and installed plugin reaches an allowed host through the proxy', async ({
    assert,
    cleanup,
  }) => {
    await loadOwnFleet(cleanup)
    seen.length = 0
    const quote = await host.call('own_fleet', 'quote', [SAMPLE_ORDER], { account: fleetAccount() })
    assert.equal(quote.feeFen, 990)
    assert.equal(quote.quoteToken, 'Q-1')
    assert.lengthOf(seen, 1)
    assert.equal(seen[0].method, 'POST')
    assert.equal(seen[0].url, '/v1/quotes')
    assert.match(seen[0].signature ?? '', /^[0-9a-f]{64}$/)
    assert.equal(JSON.parse(seen[0].body).order_no, SAMPLE_ORDER.id)
  })

  test('redirects are handed back, not followed', async ({ assert, cleanup }) => {
    await loadOwnFleet(cleanup)
    const failure = await host
      .call('own_fleet', 'quote', [SAMPLE_ORDER], { account: fleetAccount('/redirect') })
      .catch((error) => error)
    // The plugin sees the 302 (no JSON) and reports a protocol error; nothing went to elsewhere.example.org.
    assert.equal(failure.name, 'ProtocolError')
    assert.match(failure.message, /HTTP 302/)
  })

  test('a carrier that never answers fails the call with a retryable timeout', async ({
    assert,
    cleanup,
  }) => {
    await loadOwnFleet(cleanup)
    const failure = await host
      .call('own_fleet', 'quote', [SAMPLE_ORDER], { account: fleetAccount('/slow') })
      .catch((error) => error)
    assert.equal(failure.name, 'RetryableError')
    assert.equal(failure.code, 'http_timeout')
    assert.isTrue(failure.retryable)
  })

  test('webhook bodies over the cap are refused before the plugin runs', async ({
    assert,
    cleanup,
  }) => {
    await loadOwnFleet(cleanup)
    const huge = { headers: {}, body: 'x'.repeat(300 * 1024), query: {} }
    await assert.rejects(
      () => host.verifyWebhook('own_fleet', fleetAccount(), huge),
      /exceeds 262144 bytes/
    )
    const [status] = await host.status()
    assert.equal(status.calls, 0)
  })
})
