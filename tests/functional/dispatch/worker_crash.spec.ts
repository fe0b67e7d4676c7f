import { test } from '@japa/runner'
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { startSandbox, type RunningSandbox } from '#sandbox/start_sandbox'
import { chinaTime } from '#sandbox/market/time_of_day'
import { wireSandbox } from '#sandbox/hub_wiring'
import { installBuiltinPlugins } from '#carriers/builtin_plugins'
import { PluginNode } from '#carriers/registry/plugin_node'
import { BullMqQueue } from '#dispatch/queue/bullmq_queue'
import { dispatchJobId } from '#dispatch/queue/job_queue'
import { createBatch } from '#services/order_intake_service'
import { createTenant, validOrder } from '#tests/helpers/fixtures'
import { countWhere, startHub } from '#tests/functional/dispatch/support/hub_process'

const CARRIERS = ['own_fleet', 'dada', 'meituan', 'fengniao']
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
const ORDERS = 2000
const WAITING = ['created', 'quoting']

/** A `node ace dispatch:work` process on the test database and a private queue. */
function startWorker(queueName: string, sandboxUrl: string): ChildProcess {
  const child = spawn(process.execPath, ['ace', 'dispatch:work'], {
    cwd: app.makePath(),
    env: {
      ...process.env,
      NODE_ENV: 'development',
      REDIS_URL,
      DISPATCH_QUEUE: queueName,
      DISPATCH_CONCURRENCY: '48',
      DISPATCH_LEASE_S: '4',
      DISPATCH_ON_INTAKE: 'false',
      WEATHER_SOURCE: 'sandbox',
      SANDBOX_URL: sandboxUrl,
      PLUGIN_RECONCILE_MS: '500',
      PLUGINS_DIR: `tmp/plugins-worker-${queueName}`,
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  child.stderr?.on('data', () => {})
  return child
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`timed out waiting for ${what}`)
}

test.group('Dispatch survives a killed worker (MySQL or SQLite + Redis + BullMQ)', (group) => {
  let sandbox: RunningSandbox
  const workers: ChildProcess[] = []

  group.setup(async () => {
    sandbox = await startSandbox({
      port: 0,
      seed: 7,
      // Slow enough that most deliveries are still on their way when the batch has
      // found its carriers: the test measures dispatch, not callback volume.
      speed: 10,
      startAt: chinaTime('2025-03-04', 15),
      callbackRetryDelaysMs: [200, 500, 1000, 2000, 4000],
      onError: () => {},
    })
    // This process receives the carriers' callbacks and may reassign from them.
    const node = await app.container.make(PluginNode)
    await node.start()
    await installBuiltinPlugins(CARRIERS)
    await node.reconcileNow()
    return async () => {
      for (const worker of workers) worker.kill('SIGKILL')
      await sandbox.stop()
    }
  })

  test('kill -9 mid-batch, restart: every order reaches a carrier or a reason, none is sent twice', async ({
    assert,
  }) => {
    // MySQL: the chain deployment (BullMQ on Redis, separate worker processes).
    // SQLite: the embedded one (a single hub process with its in-process queue).
    const chain = process.env.DB_CONNECTION === 'mysql'
    const queueName = `crash-${randomUUID().slice(0, 8)}`
    const hubPort = Number(process.env.PORT) + 100
    const callbacksTo = chain
      ? `http://${process.env.HOST}:${process.env.PORT}`
      : `http://127.0.0.1:${hubPort}`
    const tenant = await createTenant()
    const links = await wireSandbox({
      sandboxUrl: sandbox.url,
      hubUrl: callbacksTo,
      stores: tenant.stores,
      merchantId: tenant.merchant.id,
      carriers: CARRIERS,
    })
    const near = (i: number) => ({
      lat: tenant.stores[i % 2].lat + ((i % 7) - 3) * 0.004,
      lng: tenant.stores[i % 2].lng + ((i % 5) - 2) * 0.005,
    })
    const orders = Array.from({ length: ORDERS }, (_, i) =>
      validOrder(tenant.stores[i % 2].id, {
        external_id: `CRASH-${i}`,
        recipient: { ...validOrder(0).recipient, ...near(i) },
      })
    )
    const { batch } = await createBatch(tenant.merchant, { orders })
    const rows = await db.from('orders').where('batch_id', batch.id).select('id')
    const ids = rows.map((r) => Number(r.id))
    assert.lengthOf(ids, ORDERS)

    const start = () =>
      chain
        ? startWorker(queueName, sandbox.url)
        : startHub(hubPort, sandbox.url, { DISPATCH_LEASE_S: '4' }).child
    const queue = chain ? new BullMqQueue(REDIS_URL, queueName) : null
    try {
      await queue?.addBulk(
        ids.map((orderId) => ({
          name: 'dispatch-order',
          data: { orderId },
          options: { jobId: dispatchJobId(orderId) },
        }))
      )
      const first = start()
      workers.push(first)
      // Let it get well into the batch, then pull the plug.
      await waitUntil(
        async () => (await countWhere(batch.id, WAITING)) <= ORDERS * 0.7,
        300_000,
        'a third of the batch'
      )
      first.kill('SIGKILL')
      await new Promise((resolve) => first.once('exit', resolve))
      const waitingAtCrash = await countWhere(batch.id, WAITING)
      assert.isAbove(waitingAtCrash, 0, 'the crash happened mid-batch')

      const second = start()
      workers.push(second)
      await waitUntil(
        async () => (await countWhere(batch.id, WAITING)) === 0,
        720_000,
        'the whole batch'
      )
      // Freeze the world before comparing: no more carrier state changes (and so no
      // callbacks that could make the hub reassign), callbacks in flight delivered,
      // the worker stopped.
      sandbox.control.setClock({ speed: 0 })
      await sandbox.control.settled({ timeoutMs: 30_000 }).catch(() => {})
      second.kill('SIGTERM')
      await new Promise((resolve) => second.once('exit', resolve))
      await new Promise((resolve) => setTimeout(resolve, 500))
    } finally {
      await queue?.close()
    }

    // None lost: every order reached a carrier (or a terminal state with a reason).
    const statuses = await db
      .from('orders')
      .where('batch_id', batch.id)
      .select('status', 'failure_reason')
    assert.lengthOf(statuses, ORDERS)
    for (const row of statuses) {
      assert.notInclude(WAITING, row.status)
      if (row.status === 'failed') assert.isString(row.failure_reason)
    }

    // None sent twice: at most one live attempt per order, and per carrier account
    // the sandbox holds exactly as many deliveries as the hub sent attempts.
    const attempts = await db
      .from('dispatch_attempts')
      .whereIn('order_id', ids)
      .whereNotNull('carrier_order_id')
    const live = new Map<number, number>()
    for (const attempt of attempts) {
      if (['awaiting_accept', 'accepted', 'completed'].includes(attempt.state)) {
        live.set(Number(attempt.order_id), (live.get(Number(attempt.order_id)) ?? 0) + 1)
      }
    }
    assert.isTrue(
      [...live.values()].every((n) => n === 1),
      'one live carrier per order'
    )
    const deliveries = sandbox.control.records({}).deliveries ?? []
    for (const link of links) {
      const sent = attempts.filter((a) => Number(a.carrier_account_id) === link.hubAccountId).length
      const held = deliveries.filter((d: any) => d.accountKey === link.sandboxAccountKey).length
      assert.equal(
        held,
        sent,
        `${link.carrier} store ${link.storeId}: sandbox ${held} vs hub ${sent}`
      )
    }
    const dispatched = statuses.filter((row) => row.status !== 'failed').length
    assert.isAbove(dispatched, ORDERS * 0.5, 'most orders found a carrier')
  }).timeout(1_200_000)
})
