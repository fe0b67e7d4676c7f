import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { startSandbox, type RunningSandbox } from '#sandbox/start_sandbox'
import type { FaultPatch } from '#sandbox/faults'
import { chinaTime } from '#sandbox/market/time_of_day'
import { wireSandbox } from '#sandbox/hub_wiring'
import { installBuiltinPlugins } from '#carriers/builtin_plugins'
import { PluginNode } from '#carriers/registry/plugin_node'
import { DispatchRuntime } from '#dispatch/pipeline/dispatch_runtime'
import { dispatchConfig } from '#config/dispatch'
import { rankOf } from '#dispatch/pipeline/status_machine'
import { createTenant, validOrder } from '#tests/helpers/fixtures'
import { dbTimeMillis } from '#services/db_time'

const CARRIERS = ['own_fleet', 'dada', 'meituan', 'fengniao']
const hubUrl = () => `http://${process.env.HOST}:${process.env.PORT}`

async function waitForStatus(orderId: number, statuses: string[], timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  let row: any
  while (Date.now() < deadline) {
    row = await db.from('orders').where('id', orderId).first()
    if (statuses.includes(row.status)) return row
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`order ${orderId} stayed ${row?.status}, expected ${statuses.join('|')}`)
}

/** Sandbox minutes per real second: deliveries finish in seconds. */
const SPEED = 120

/** A recipient close to the first store, which every carrier serves. */
const NEAR = { recipient: { ...validOrder(0).recipient, lat: 39.925, lng: 116.47 } }

/** Every carrier but `only` fails its calls; `only` gets `faults` (tests clear them). */
function onlyCarrier(sandbox: RunningSandbox, only: string, faults: FaultPatch = {}) {
  for (const carrier of CARRIERS) {
    sandbox.control.setFaults(carrier, carrier === only ? faults : { errorRate: 1 })
  }
}

/** A POS order through the intake API (dispatched on intake); its id. */
async function postOrder(
  client: ApiClient,
  key: string,
  storeId: number,
  overrides: Parameters<typeof validOrder>[1]
): Promise<number> {
  const created = await client
    .post('/api/v1/orders')
    .bearerToken(key)
    .json(validOrder(storeId, overrides))
  return created.body().data.id
}

async function dispatchedTenant(sandbox: RunningSandbox) {
  const tenant = await createTenant()
  const links = await wireSandbox({
    sandboxUrl: sandbox.url,
    hubUrl: hubUrl(),
    stores: tenant.stores,
    merchantId: tenant.merchant.id,
    carriers: CARRIERS,
  })
  return { ...tenant, links }
}

/**
 * Nothing is dispatched twice: per carrier account, the deliveries the sandbox
 * holds equal the attempts the hub sent (those that got a carrier order id).
 */
async function assertOneDeliveryPerAttempt(
  sandbox: RunningSandbox,
  orderIds: number[],
  links: Awaited<ReturnType<typeof wireSandbox>>,
  assert: any
) {
  const attempts = await db
    .from('dispatch_attempts')
    .whereIn('order_id', orderIds)
    .whereNotNull('carrier_order_id')
  const deliveries = sandbox.control.records({}).deliveries ?? []
  for (const attempt of attempts) {
    const link = links.find((l) => l.hubAccountId === Number(attempt.carrier_account_id))!
    const sent = attempts.filter((a) => a.carrier_account_id === attempt.carrier_account_id).length
    const held = deliveries.filter((d: any) => d.accountKey === link.sandboxAccountKey).length
    assert.equal(
      held,
      sent,
      `${attempt.plugin_id}: sandbox holds ${held} deliveries for ${sent} attempts`
    )
  }
}

test.group('Dispatch end to end (hub ↔ carrier sandbox over HTTP)', (group) => {
  let sandbox: RunningSandbox
  const originalOnIntake = dispatchConfig.onIntake

  group.setup(async () => {
    sandbox = await startSandbox({
      port: 0,
      seed: 42,
      speed: SPEED,
      startAt: chinaTime('2025-03-04', 14),
      callbackRetryDelaysMs: [100, 300, 1000, 2000],
      onError: () => {},
    })
    const node = await app.container.make(PluginNode)
    await node.start()
    await installBuiltinPlugins(CARRIERS)
    await node.reconcileNow()
    const runtime = await app.container.make(DispatchRuntime)
    await runtime.startWorker()
    dispatchConfig.onIntake = true
    return async () => {
      dispatchConfig.onIntake = originalOnIntake
      await sandbox.stop()
    }
  })
  // At this speed a sandbox day passes in 12 s: every test starts in the quiet
  // afternoon, so carriers' night-time capacity never decides an outcome.
  group.each.setup(() => {
    sandbox.control.setClock({ at: chinaTime('2025-03-04', 14) })
  })
  // Faults and a paused clock are per test; callbacks a test held back still arrive
  // before the next one starts.
  group.each.teardown(async () => {
    for (const carrier of CARRIERS) sandbox.control.clearFaults(carrier)
    sandbox.control.setClock({ speed: SPEED })
    await sandbox.control.settled({ timeoutMs: 30_000 }).catch(() => {})
  })

  test('an order is quoted by every carrier, the rules pick one, and callbacks carry it to delivered', async ({
    client,
    assert,
  }) => {
    const { key, stores, links } = await dispatchedTenant(sandbox)
    const created = await client
      .post('/api/v1/orders')
      .bearerToken(key)
      .json(validOrder(stores[0].id, NEAR))
    created.assertStatus(201)
    const orderId = created.body().data.id

    const delivered = await waitForStatus(orderId, ['delivered', 'failed'], 60_000)
    assert.equal(delivered.status, 'delivered', delivered.failure_reason ?? '')

    // One decision per quote round; each names the carrier its attempt went to first.
    const decisions = await db.from('decision_records').where('order_id', orderId).orderBy('id')
    assert.isAtLeast(decisions.length, 1)
    assert.isAtLeast(JSON.parse(decisions[0].candidates).length, 2, 'several carriers quoted')
    const attempts = await db
      .from('dispatch_attempts')
      .where('order_id', orderId)
      .orderBy('attempt_no')
    assert.equal(attempts[0].plugin_id, decisions[0].winner_carrier)
    const last = attempts.at(-1)
    assert.equal(last.state, 'completed')
    for (const earlier of attempts.slice(0, -1)) {
      assert.include(
        ['rejected', 'timed_out', 'failed'],
        earlier.state,
        'earlier attempts ended before the next began'
      )
    }

    const timeline = await db
      .from('order_events')
      .where({ order_id: orderId, kind: 'status' })
      .orderBy('id')
    const statuses = timeline.map((e) => e.to_status)
    // Carriers may skip states (a fast rider's "accepted" can arrive after "picked up").
    assert.includeMembers(statuses, ['quoting', 'dispatching', 'delivered'])
    assert.isNotNull(last.accepted_at, 'the winning attempt was accepted')
    // Forward only, except the dispatcher's own step back to quoting on reassignment.
    let highest = -1
    for (const { to_status: status } of timeline) {
      const stepBack = status === 'quoting' && highest === rankOf('dispatching')
      if (!stepBack) assert.isAbove(rankOf(status), highest, `${status} after rank ${highest}`)
      highest = rankOf(status)
    }
    assert.equal(statuses.at(-1), 'delivered')
    await assertOneDeliveryPerAttempt(sandbox, [orderId], links, assert)

    // Applied callbacks are marked processed (in batches, shortly after).
    const unprocessed = async () => {
      const row = await db
        .from('carrier_webhook_events')
        .whereIn(
          'carrier_order_id',
          attempts.map((a) => a.carrier_order_id)
        )
        .whereNull('processed_at')
        .count('* as n')
        .first()
      return Number(row.n)
    }
    const stored = await db
      .from('carrier_webhook_events')
      .whereIn(
        'carrier_order_id',
        attempts.map((a) => a.carrier_order_id)
      )
      .count('* as n')
      .first()
    assert.isAbove(Number(stored.n), 0, 'callbacks were stored')
    const deadline = Date.now() + 5_000
    while ((await unprocessed()) > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    assert.equal(await unprocessed(), 0)
  }).timeout(90_000)

  test('carriers that fail every call are skipped: the order goes to the one that works', async ({
    client,
    assert,
  }) => {
    const { key, stores, links } = await dispatchedTenant(sandbox)
    onlyCarrier(sandbox, 'fengniao')
    const orderId = await postOrder(client, key, stores[0].id, NEAR)
    const row = await waitForStatus(orderId, ['delivered', 'failed'], 60_000)
    assert.equal(row.status, 'delivered', row.failure_reason ?? '')
    const attempts = await db.from('dispatch_attempts').where('order_id', orderId)
    assert.deepEqual([...new Set(attempts.map((a) => a.plugin_id))], ['fengniao'])
    const notes = await db.from('order_events').where({ order_id: orderId, kind: 'note' })
    assert.match(notes[0].detail, /dada#\d+/, 'the failing carriers are named in the timeline')
    await assertOneDeliveryPerAttempt(sandbox, [orderId], links, assert)
  }).timeout(90_000)

  test('a timeout that fires before a late acceptance callback keeps the delivery: no cancel, no second carrier', async ({
    client,
    assert,
  }) => {
    const { key, stores, links } = await dispatchedTenant(sandbox)
    // One carrier, whose status callbacks arrive long after its riders accept (as when
    // the hub is behind on callbacks).
    onlyCarrier(sandbox, 'fengniao', { callbackDelayMs: 8_000 })
    const deliveryOf = (attempt: any) => {
      const link = links.find((l) => l.hubAccountId === Number(attempt.carrier_account_id))!
      return (sandbox.control.records({}).deliveries ?? []).find(
        (d: any) =>
          d.accountKey === link.sandboxAccountKey &&
          (d.carrierOrderId === attempt.carrier_order_id ||
            d.clientOrderId === attempt.carrier_order_id)
      )
    }
    // Sandbox riders decline some orders; take the first order a rider accepts.
    let taken: { orderId: number; attempt: any } | null = null
    for (let tries = 0; tries < 4 && !taken; tries++) {
      const orderId = await postOrder(client, key, stores[0].id, NEAR)
      await waitForStatus(orderId, ['dispatching'])
      const attempt = await db.from('dispatch_attempts').where('order_id', orderId).first()
      assert.equal(attempt.state, 'awaiting_accept')
      const deadline = Date.now() + 20_000
      while (Date.now() < deadline && deliveryOf(attempt)?.state === 'waiting') {
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      const state = deliveryOf(attempt)?.state
      if (state && !['waiting', 'cancelled'].includes(state)) taken = { orderId, attempt }
    }
    assert.exists(taken, 'a sandbox rider accepted one of the orders')
    const { orderId, attempt } = taken!
    const before = await db.from('dispatch_attempts').where('id', attempt.id).first()
    assert.equal(before.state, 'awaiting_accept', 'the acceptance callback is still held back')

    const runtime = await app.container.make(DispatchRuntime)
    await runtime.dispatcher.acceptTimeout(orderId, attempt.attempt_no)

    const attempts = await db.from('dispatch_attempts').where('order_id', orderId)
    assert.lengthOf(attempts, 1, 'no second carrier')
    assert.equal(attempts[0].state, 'accepted')
    const order = await db.from('orders').where('id', orderId).first()
    assert.isAtLeast(rankOf(order.status), rankOf('accepted'))
    assert.notEqual(deliveryOf(attempt)?.state, 'cancelled', 'the carrier was not asked to cancel')
    await assertOneDeliveryPerAttempt(sandbox, [orderId], links, assert)
  }).timeout(120_000)

  test('a carrier that can neither be asked nor cancel at the timeout keeps the order: no second carrier', async ({
    client,
    assert,
  }) => {
    const { key, stores, links } = await dispatchedTenant(sandbox)
    onlyCarrier(sandbox, 'fengniao')
    // Sandbox time stands still: the carrier answers, but no rider ever accepts.
    sandbox.control.setClock({ speed: 0 })
    const orderId = await postOrder(client, key, stores[0].id, NEAR)
    await waitForStatus(orderId, ['dispatching'])
    // Then the carrier's API goes down.
    sandbox.control.setFaults('fengniao', { errorRate: 1 })
    const attempt = await db.from('dispatch_attempts').where('order_id', orderId).first()
    assert.equal(attempt.state, 'awaiting_accept')

    const runtime = await app.container.make(DispatchRuntime)
    await runtime.dispatcher.acceptTimeout(orderId, attempt.attempt_no)

    // It may still deliver: the order stays with it and is looked at again later.
    const attempts = await db.from('dispatch_attempts').where('order_id', orderId)
    assert.lengthOf(attempts, 1, 'no second carrier')
    assert.equal(attempts[0].state, 'awaiting_accept')
    const order = await db.from('orders').where('id', orderId).first()
    assert.equal(order.status, 'dispatching')
    const notes = await db.from('order_events').where({ order_id: orderId, kind: 'note' })
    assert.isTrue(
      notes.some((note) => String(note.detail).includes('cancel_failed')),
      JSON.stringify(notes.map((note) => note.detail))
    )
    await assertOneDeliveryPerAttempt(sandbox, [orderId], links, assert)
  }).timeout(90_000)

  test('callbacks that outrun a slow create answer are kept and applied once the answer is in', async ({
    client,
    assert,
  }) => {
    const { key, stores, links } = await dispatchedTenant(sandbox)
    // The carrier creates the delivery (a rider may accept and call back at once),
    // then takes 2.5 s to answer the create call (quotes too, within their deadline).
    onlyCarrier(sandbox, 'dada', { answerDelayMs: 2_500 })
    const orderId = await postOrder(client, key, stores[0].id, NEAR)
    const row = await waitForStatus(orderId, ['accepted', 'delivered', 'failed'], 60_000)
    const notes = await db.from('order_events').where({ order_id: orderId, kind: 'note' })
    assert.notEqual(row.status, 'failed', JSON.stringify(notes.map((n) => n.detail)))
    assert.isNotNull(row.dispatched_at_ms, 'the dispatch is recorded')
    const attempts = await db.from('dispatch_attempts').where('order_id', orderId)
    assert.lengthOf(attempts, 1, 'one attempt, not a retry at a second carrier')
    const early = await db
      .from('carrier_webhook_events')
      .where('carrier_account_id', attempts[0].carrier_account_id)
      .where('carrier_order_id', attempts[0].carrier_order_id)
      .orderBy('id')
      .first()
    assert.isBelow(
      dbTimeMillis(early.received_at),
      Number(row.dispatched_at_ms) - 1500,
      'the first callback came well before the create answer'
    )
    await assertOneDeliveryPerAttempt(sandbox, [orderId], links, assert)
  }).timeout(90_000)

  test('every carrier down: the order fails with a reason and shows in the exceptions queue', async ({
    client,
    assert,
  }) => {
    const { key, stores } = await dispatchedTenant(sandbox)
    for (const carrier of CARRIERS) sandbox.control.setFaults(carrier, { outage: true })
    const orderId = await postOrder(client, key, stores[0].id, {})
    const row = await waitForStatus(orderId, ['failed'], 60_000)
    assert.match(row.failure_reason, /no carrier could quote/)
    const { createUser } = await import('#tests/helpers/fixtures')
    const operator = await createUser('operator')
    const queue = await client.get('/api/v1/admin/exceptions').bearerToken(operator.token)
    assert.include(
      queue.body().data.items.map((i: any) => i.order_id),
      orderId
    )
  }).timeout(90_000)

  test('duplicate, out-of-order and forged callbacks: forged ones are refused, statuses never go back, polling fills the gaps', async ({
    client,
    assert,
  }) => {
    const { key, stores, links } = await dispatchedTenant(sandbox)
    for (const carrier of CARRIERS) {
      sandbox.control.setFaults(carrier, {
        duplicateRate: 0.5,
        reorderRate: 0.5,
        badSignatureRate: 0.3,
      })
    }
    const near = (i: number) => ({
      recipient: {
        ...validOrder(0).recipient,
        lat: 39.912 + (i % 4) * 0.004,
        lng: 116.462 + (i % 3) * 0.004,
      },
    })
    const orders = Array.from({ length: 12 }, (_, i) => validOrder(stores[0].id, near(i)))
    const response = await client.post('/api/v1/orders/batch').bearerToken(key).json({ orders })
    const ids: number[] = response.body().data.results.map((r: any) => r.order_id)

    const accountKeys = new Set(links.map((link) => link.sandboxAccountKey))
    const myDeliveries = () =>
      (sandbox.control.records({}).deliveries ?? []).filter((d: any) =>
        accountKeys.has(d.accountKey)
      )
    // Wait for the sandbox to finish every delivery it was given.
    const deadline = Date.now() + 60_000
    while (Date.now() < deadline) {
      const waiting = await db
        .from('orders')
        .whereIn('id', ids)
        .whereIn('status', ['created', 'quoting'])
        .count('* as n')
        .first()
      const open = myDeliveries().filter((d: any) => !['delivered', 'cancelled'].includes(d.state))
      if (Number(waiting.n) === 0 && open.length === 0) break
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    await sandbox.control.settled({ timeoutMs: 15_000 })

    const forged = (sandbox.control.records({}).callbacks ?? []).filter(
      (c: any) =>
        c.forged &&
        accountKeys.has(
          links.find((l) => c.url?.endsWith(`/webhooks/${l.hubAccountId}`))?.sandboxAccountKey ?? ''
        )
    )
    assert.isAbove(forged.length, 0, 'the sandbox forged some callbacks')
    assert.isTrue(
      forged.every((c: any) => c.httpStatus === 401),
      'every forged callback was refused'
    )

    // Polling fallback: ask the carriers about orders whose callbacks were lost.
    const runtime = await app.container.make(DispatchRuntime)
    for (const id of ids) await runtime.dispatcher.pollStatus(id)

    for (const id of ids) {
      const timeline = await db
        .from('order_events')
        .where({ order_id: id, kind: 'status' })
        .orderBy('id')
      let highest = -1
      for (const { to_status: status } of timeline) {
        const stepBack = status === 'quoting' && highest === rankOf('dispatching')
        if (!stepBack)
          assert.isAbove(rankOf(status), highest, `order ${id}: ${status} after rank ${highest}`)
        highest = rankOf(status)
      }
    }
    const delivered = myDeliveries().filter((d: any) => d.state === 'delivered').length
    const rows = await db
      .from('orders')
      .whereIn('id', ids)
      .where('status', 'delivered')
      .count('* as n')
      .first()
    assert.equal(
      Number(rows.n),
      delivered,
      'every delivery the carriers finished is delivered in the hub'
    )
    await assertOneDeliveryPerAttempt(sandbox, ids, links, assert)
  }).timeout(120_000)

  test('a rules dry run can ask the carriers for live quotes on a stored order', async ({
    client,
    assert,
  }) => {
    const { key, stores, merchant } = await dispatchedTenant(sandbox)
    dispatchConfig.onIntake = false
    let orderId: number
    try {
      const created = await client
        .post('/api/v1/orders')
        .bearerToken(key)
        .json(validOrder(stores[0].id, NEAR))
      orderId = created.body().data.id
    } finally {
      dispatchConfig.onIntake = true
    }
    const { createUser } = await import('#tests/helpers/fixtures')
    const admin = await createUser('admin')
    const override = await client
      .post('/api/v1/admin/rulesets')
      .bearerToken(admin.token)
      .json({ merchant_id: merchant.id, name: 'live quotes' })
    const response = await client
      .post(`/api/v1/admin/rulesets/${override.body().data.id}/dry-run`)
      .bearerToken(admin.token)
      .json({ version: 'draft', order: orderId, quotes: 'live' })
    response.assertStatus(200)
    const candidates = response.body().data.decision.candidates
    assert.isAtLeast(candidates.length, 2)
    assert.includeMembers(
      CARRIERS,
      candidates.map((c: any) => c.carrier)
    )
    assert.oneOf(response.body().data.decision.winner.carrier, CARRIERS)
  }).timeout(60_000)
})
