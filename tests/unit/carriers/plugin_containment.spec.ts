import { test } from '@japa/runner'
import { type CarrierError } from '#sdk/errors'
import {
  EgressDeniedError,
  PluginContractError,
  PluginCrashedError,
  PluginFailedError,
  PluginTimeoutError,
} from '#carriers/host_errors'
import type { PluginHost } from '#carriers/plugin_host'
import {
  ACCOUNT,
  copyPlugin,
  fixturePlugin,
  SAMPLE_ORDER,
  scratchDir,
  testHost,
  watchEventLoop,
} from '#tests/unit/carriers/support/plugin_fixtures'

/**
 * The hub's event loop may hiccup (GC, worker start, a busy 2-core machine while a
 * plugin spins on the other core) but never stall for the length of a call: the
 * calls here time out at 600 ms, so a blocked hub would show a gap of 600 ms or more.
 */
const MAX_EVENT_LOOP_GAP_MS = 400

interface HostileCase {
  fixture: string
  id: string
  error: new (...args: any[]) => CarrierError
  message: RegExp
}

const HOSTILE: HostileCase[] = [
  {
    fixture: 'throws',
    id: 'hostile_throws',
    error: PluginFailedError,
    message: /threw TypeError: boom/,
  },
  {
    fixture: 'hangs',
    id: 'hostile_hangs',
    error: PluginTimeoutError,
    message: /did not answer within \d+ ms/,
  },
  {
    fixture: 'spins',
    id: 'hostile_spins',
    error: PluginTimeoutError,
    message: /did not answer within \d+ ms/,
  },
  {
    fixture: 'leaks',
    id: 'hostile_leaks',
    error: PluginCrashedError,
    message: /ran out of memory \(heap limit 32 MB\)/,
  },
  {
    fixture: 'exits',
    id: 'hostile_exits',
    error: PluginCrashedError,
    message: /exited with code 3/,
  },
  {
    fixture: 'garbage',
    id: 'hostile_garbage',
    error: PluginContractError,
    message: /feeFen must be integer/,
  },
  {
    fixture: 'egress',
    id: 'hostile_egress',
    error: EgressDeniedError,
    message: /"collector\.evil\.example\.net" is not in the plugin's egress list/,
  },
  {
    fixture: 'env',
    id: 'hostile_env',
    error: PluginFailedError,
    message: /no secrets in process\.env/,
  },
]

async function expectFailure(host: PluginHost, id: string, account = ACCOUNT) {
  try {
    await host.call(id, 'quote', [SAMPLE_ORDER], { account })
  } catch (error) {
    return error as CarrierError
  }
  throw new Error(`${id}.quote was expected to fail`)
}

test.group('Plugin containment | hostile plugins', (group) => {
  let host: PluginHost
  group.each.setup(() => {
    host = testHost()
    return () => host.shutdown()
  })
  group.each.timeout(20_000)

  for (const hostile of HOSTILE) {
    test(
      '{fixture}: hub stays responsive, call fails typed, health turns unhealthy, a good version loads after'
    )
      .with([hostile])
      .run(async ({ assert, cleanup }, { fixture, id, error, message }) => {
        process.env.HUB_CANARY_SECRET = 'must-not-reach-plugins'
        cleanup(() => {
          delete process.env.HUB_CANARY_SECRET
        })
        await host.load(fixturePlugin(fixture))

        const monitor = watchEventLoop()
        const failure = await expectFailure(host, id)
        const maxGap = monitor.stop()

        assert.instanceOf(failure, error)
        assert.match(failure.message, message)
        assert.isTrue(failure.countsAsFailure)
        assert.isBelow(
          maxGap,
          MAX_EVENT_LOOP_GAP_MS,
          `hub event loop stalled ${maxGap.toFixed(0)} ms`
        )

        const health = host.health(id, ACCOUNT.id)!
        assert.equal(health.state, 'open')
        assert.isFalse(health.healthy)
        assert.equal(health.lastFailure?.name, failure.name)

        // The same plugin id, rebuilt as a well-behaved version, replaces it and answers.
        const scratch = await scratchDir(cleanup)
        const good = await copyPlugin('good_v1', scratch, (manifest) => {
          manifest.id = id
          manifest.version = '0.2.0'
        })
        await host.upgrade(id, good)
        const quote = await host.call(id, 'quote', [SAMPLE_ORDER], { account: ACCOUNT })
        assert.equal(quote.feeFen, 1000)
        assert.isTrue(host.health(id, ACCOUNT.id)!.healthy)
      })
  }

  test('a crashed worker is restarted and serves the next call', async ({ assert }) => {
    const info = await host.load(fixturePlugin('exits'))
    await expectFailure(host, info.id)
    await new Promise((resolve) => setTimeout(resolve, 300))
    const [status] = await host.status()
    assert.equal(status.crashes, 1)
    assert.equal(status.restarts, 1)
    assert.equal(status.state, 'ready')
    assert.match(status.lastCrash!.reason, /exited with code 3/)
    assert.isNotNull(status.worker?.threadId)
  })

  test('a spinning worker is terminated after the liveness ping and replaced', async ({
    assert,
  }) => {
    await host.load(fixturePlugin('spins'))
    await expectFailure(host, 'hostile_spins')
    await new Promise((resolve) => setTimeout(resolve, 800))
    const [status] = await host.status()
    assert.equal(status.crashes, 1)
    assert.match(status.lastCrash!.reason, /hung/)
    assert.equal(status.state, 'ready')
    assert.equal(status.timeouts, 1)
  })

  test('an open breaker fails fast without calling the plugin', async ({ assert }) => {
    await host.load(fixturePlugin('throws'))
    await expectFailure(host, 'hostile_throws')
    const started = performance.now()
    const second = await expectFailure(host, 'hostile_throws')
    assert.equal(second.name, 'CircuitOpenError')
    assert.isFalse(second.countsAsFailure)
    assert.isBelow(performance.now() - started, 50)
    const [status] = await host.status()
    assert.equal(status.calls, 1, 'the second call never reached the worker')
  })
})

test.group('Plugin containment | file system and modules', (group) => {
  let host: PluginHost
  group.each.setup(() => {
    host = testHost()
    return () => host.shutdown()
  })

  const routes = [
    { route: 'import-fs', target: 'package.json', message: /Module "node:fs" is not available/ },
    { route: 'builtin', target: 'package.json', message: /Module "node:fs" is not available/ },
    { route: 'import-json', target: 'package.json', message: /outside the plugin package/ },
    {
      route: 'import-js',
      target: 'tests/fixtures/plugins/good_v1/index.js',
      message: /outside the plugin package/,
    },
    { route: 'load-env', target: 'package.json', message: /process\.loadEnvFile is not available/ },
  ]

  test('reading outside its folder via {route} fails')
    .with(routes)
    .run(async ({ assert }, { route, target, message }) => {
      await host.load(fixturePlugin('fs_read'))
      const absolute = new URL(`../../../${target}`, import.meta.url)
      const account = {
        id: `acct-${route}`,
        config: { route, target: route.startsWith('import') ? absolute.href : absolute.pathname },
      }
      const failure = await expectFailure(host, 'hostile_fs_read', account)
      assert.instanceOf(failure, PluginFailedError)
      assert.match(failure.message, message)
      assert.notInclude(failure.message, '"name": "courier-hub"')
      assert.isFalse(host.health('hostile_fs_read', account.id)!.healthy)
    })
})
