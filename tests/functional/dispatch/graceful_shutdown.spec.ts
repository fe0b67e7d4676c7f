import { test } from '@japa/runner'
import type { ChildProcess } from 'node:child_process'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { startSandbox, type RunningSandbox } from '#sandbox/start_sandbox'
import { chinaTime } from '#sandbox/market/time_of_day'
import { wireSandbox } from '#sandbox/hub_wiring'
import { installBuiltinPlugins } from '#carriers/builtin_plugins'
import { PluginNode } from '#carriers/registry/plugin_node'
import { createBatch } from '#services/order_intake_service'
import { createTenant, validOrder } from '#tests/helpers/fixtures'
import { countWhere, startHub } from '#tests/functional/dispatch/support/hub_process'

const CARRIERS = ['own_fleet', 'dada', 'meituan', 'fengniao']
const ORDERS = 400
const WAITING = ['created', 'quoting']

/** Pino's level for error: a graceful stop must log nothing at or above it. */
const ERROR_LEVEL = 50

function exited(child: ChildProcess) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal }))
  )
}

test.group('Dispatch stops gracefully (SIGTERM mid-batch)', (group) => {
  let sandbox: RunningSandbox
  let hub: ReturnType<typeof startHub> | null = null

  group.setup(async () => {
    sandbox = await startSandbox({
      port: 0,
      seed: 11,
      speed: 10,
      startAt: chinaTime('2025-03-04', 15),
      callbackRetryDelaysMs: [200, 500, 1000],
      onError: () => {},
    })
    const node = await app.container.make(PluginNode)
    await node.start()
    await installBuiltinPlugins(CARRIERS)
    await node.reconcileNow()
    return async () => {
      hub?.child.kill('SIGKILL')
      await sandbox.stop()
    }
  })

  test('running jobs finish, leases are released, nothing is logged as an error', async ({
    assert,
  }) => {
    const port = Number(process.env.PORT) + 150
    const tenant = await createTenant()
    await wireSandbox({
      sandboxUrl: sandbox.url,
      hubUrl: `http://127.0.0.1:${port}`,
      stores: tenant.stores,
      merchantId: tenant.merchant.id,
      carriers: CARRIERS,
    })
    const orders = Array.from({ length: ORDERS }, (_, i) =>
      validOrder(tenant.stores[i % 2].id, {
        external_id: `TERM-${i}`,
        recipient: {
          ...validOrder(0).recipient,
          lat: tenant.stores[i % 2].lat + ((i % 7) - 3) * 0.004,
          lng: tenant.stores[i % 2].lng + ((i % 5) - 2) * 0.005,
        },
      })
    )
    const { batch } = await createBatch(tenant.merchant, { orders })

    // The hub picks the new orders up at start (dispatch on intake resumes them).
    // JSON logs (production), so error-level lines can be found.
    hub = startHub(port, sandbox.url, { NODE_ENV: 'production', LOG_LEVEL: 'warn' })
    const deadline = Date.now() + 300_000
    while ((await countWhere(batch.id, WAITING)) > ORDERS * 0.75) {
      assert.isBelow(Date.now(), deadline, `the hub dispatched nothing:\n${hub.output()}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    assert.isAbove(await countWhere(batch.id, WAITING), 0, 'stopped mid-batch')

    const stopping = Date.now()
    const exit = exited(hub.child)
    hub.child.kill('SIGTERM')
    const { code } = await exit
    const tookMs = Date.now() - stopping
    assert.equal(code, 0, hub.output())
    assert.isBelow(tookMs, 30_000, 'a stop does not hang')

    const errors = hub
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .filter((entry) => entry.level >= ERROR_LEVEL)
    assert.deepEqual(
      errors.map((entry) => entry.msg),
      [],
      hub.output()
    )

    // Nothing half done: no attempt stuck between insert and the carrier's answer, no
    // order left leased by the stopped process.
    const rows = await db.from('orders').where('batch_id', batch.id).select('id')
    const ids = rows.map((row) => Number(row.id))
    const creating = await db
      .from('dispatch_attempts')
      .whereIn('order_id', ids)
      .where('state', 'creating')
      .count('* as n')
      .first()
    assert.equal(Number(creating.n), 0, 'every started create was finished')
    const leased = await db
      .from('orders')
      .where('batch_id', batch.id)
      .whereNotNull('lease_owner')
      .count('* as n')
      .first()
    assert.equal(Number(leased.n), 0, 'every lease was released')
  }).timeout(600_000)
})
