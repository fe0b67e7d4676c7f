/**
 * End to end: the real Dada plugin, packed and installed, running in the hub's
 * sandboxed worker host, talking to the carrier sandbox's Dada emulator over HTTP.
 * Dada's callbacks go to the `callback` URL sent with each order; a local receiver
 * stands in for the hub and the plugin verifies them through the host.
 */
import { test } from '@japa/runner'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { HubOrder, NormalizedEvent } from '#sdk/contract'
import { pack } from '#sdk/packaging/pack'
import { installPackage } from '#carriers/package_installer'
import { PluginHost } from '#carriers/plugin_host'
import type { RunningSandbox } from '#sandbox/start_sandbox'
import { DADA_SANDBOX_ACCOUNT, dadaEmulator } from '#sandbox/carriers/dada'
import {
  startCallbackReceiver,
  type CallbackReceiver,
} from '#tests/functional/sandbox/support/callback_receiver'
import { startTestSandbox } from '#tests/functional/sandbox/support/sandbox_setup'
import { assertOnHubClock } from '#tests/functional/carriers/support/hub_clock'

const DADA_DIR = fileURLToPath(new URL('../../../plugins/dada/', import.meta.url))

/** What Dada pushes for each sandbox state, and the unified status the plugin maps it to. */
const DADA_PUSH: Record<string, string> = {
  waiting: '1:dispatching',
  accepted: '2:accepted',
  arrived: '100:arrived_at_store',
  picked_up: '3:picked_up',
  delivered: '4:delivered',
  cancelled: '7:failed',
}

test.group('Carriers | dada plugin against the sandbox', (group) => {
  let sandbox: RunningSandbox
  let receiver: CallbackReceiver
  let host: PluginHost
  let baseOrder: HubOrder

  group.setup(async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'dada-e2e-'))
    const packed = await pack(DADA_DIR, { outDir: scratch })
    const installed = await installPackage(packed.tarball, join(scratch, 'installed'))
    receiver = await startCallbackReceiver()
    sandbox = await startTestSandbox({ emulators: [dadaEmulator] })
    host = new PluginHost({ extraEgress: [`127.0.0.1:${sandbox.port}`] })
    await host.load(installed.dir)
    baseOrder = JSON.parse(await readFile(join(DADA_DIR, 'fixtures/order.json'), 'utf8'))
    return async () => {
      await host.shutdown()
      await sandbox.stop()
      await receiver.close()
      await rm(scratch, { recursive: true, force: true })
    }
  })
  group.each.setup(() => {
    sandbox.control.reset()
    sandbox.control.setWeather('*', { condition: 'clear' })
    receiver.received.length = 0
  })

  /** One hub account per test: its own breaker and its own callback path. */
  const account = (id: string, secret = DADA_SANDBOX_ACCOUNT.credentials.app_secret) => ({
    id,
    config: {
      baseUrl: `${sandbox.url}/dada`,
      appKey: DADA_SANDBOX_ACCOUNT.accountKey,
      appSecret: secret,
      sourceId: DADA_SANDBOX_ACCOUNT.credentials.source_id,
      shopNo: DADA_SANDBOX_ACCOUNT.credentials.shop_no,
      cityCode: DADA_SANDBOX_ACCOUNT.credentials.city_code,
      callbackUrl: `${receiver.url}/api/v1/webhooks/${id}`,
      webhookToleranceS: 900,
    },
  })
  const order = (id: string): HubOrder => ({
    ...baseOrder,
    id,
    external_id: `POS-${id}`,
    tip_fen: 0,
  })
  const callbacksFor = (accountId: string) =>
    receiver.received.filter((callback) => callback.path === `/api/v1/webhooks/${accountId}`)

  async function verified(accountId: string): Promise<NormalizedEvent[]> {
    const events: NormalizedEvent[] = []
    for (const callback of callbacksFor(accountId)) {
      const request = { headers: callback.headers, body: callback.body, query: {} }
      events.push(...(await host.verifyWebhook('dada', account(accountId), request)))
    }
    return events
  }

  async function place(accountId: string, orderId: string) {
    const acct = account(accountId)
    const hubOrder = order(orderId)
    const quote = await host.call('dada', 'quote', [hubOrder], { account: acct })
    const created = await host.call('dada', 'create', [hubOrder, quote, `${orderId}:attempt-1`], {
      account: acct,
    })
    return { acct, quote, created, ref: { orderId, carrierOrderId: created.carrierOrderId } }
  }

  test('quote → addAfterQuery → signed callbacks verified by the plugin → delivered', async ({
    assert,
  }) => {
    const { acct, quote, created, ref } = await place('acct-dada-happy', 'ord_dada_e2e_1')
    assert.isAbove(quote.feeFen, 0)
    assert.match(quote.quoteToken, /^Q[0-9a-f]{16}$/)
    assert.deepEqual(created, { carrierOrderId: 'ord_dada_e2e_1', feeFen: quote.feeFen })
    await sandbox.control.settled()

    // Expected pushes follow the sandbox's plan (a rider may drop the order, and Dada then
    // re-sends 1 and 2); Dada has no push for "on the way".
    const plan = sandbox.control.delivery('dada', 'ord_dada_e2e_1')!.plan.map((step) => step.state)
    const expected = ['waiting', ...plan]
      .filter((state) => state !== 'delivering')
      .map((state) => DADA_PUSH[state])
    const events = await verified(acct.id)
    assertOnHubClock(assert, events)
    assert.deepEqual(
      events.map((event) => `${event.carrierStatus}:${event.status}`),
      expected
    )
    assert.equal(expected.at(-1), '4:delivered')
    assert.isTrue(events.every((event) => event.carrierOrderId === 'ord_dada_e2e_1'))
    assert.exists(events.find((event) => event.status === 'accepted')?.rider?.name)
    // A reassignment re-sends 2 for the new rider: a new event, not a duplicate.
    const accepted = events.filter((event) => event.status === 'accepted')
    assert.equal(new Set(accepted.map((event) => event.eventId)).size, accepted.length)
    const track = await host.call('dada', 'track', [ref], { account: acct })
    assert.equal(track.at(-1)?.status, 'delivered')
    const delivery = sandbox.control.delivery('dada', 'ord_dada_e2e_1')!
    assert.equal(delivery.state, 'delivered')
    assert.equal(
      sandbox.control.records({ carrier: 'dada', summary: true }).carriers.dada.callbacks.sent,
      events.length
    )
  })

  test('cancel after acceptance returns the deduct_fee Dada charged', async ({ assert }) => {
    sandbox.control.setClock({ speed: 0 })
    const { acct, created, ref } = await place('acct-dada-cancel', 'ord_dada_e2e_cancel')
    const accepted = sandbox.control
      .delivery('dada', created.carrierOrderId)!
      .plan.find((step) => step.state === 'accepted')!
    sandbox.control.setClock({ at: new Date(accepted.at) })
    await sandbox.control.waitFor(
      () => sandbox.control.delivery('dada', created.carrierOrderId)!.state === 'accepted'
    )

    const cancelled = await host.call('dada', 'cancel', [ref, 'customer_cancelled'], {
      account: acct,
    })
    assert.deepEqual(cancelled, { feeFen: 200 })
    await receiver.waitFor(() =>
      callbacksFor(acct.id).some((callback) => callback.body.includes('"order_status":5'))
    )
    const events = await verified(acct.id)
    const last = events.at(-1)!
    assert.deepInclude(last, {
      carrierStatus: '5',
      status: 'cancelled',
      note: 'customer_cancelled',
    })
  })

  test('tips add up at Dada although addTip replaces the tip', async ({ assert }) => {
    sandbox.control.setClock({ speed: 0 })
    const { acct, created, ref } = await place('acct-dada-tip', 'ord_dada_e2e_tip')
    assert.isNull(await host.call('dada', 'addTip', [ref, 300], { account: acct }))
    assert.isNull(await host.call('dada', 'addTip', [ref, 200], { account: acct }))
    assert.equal(sandbox.control.delivery('dada', created.carrierOrderId)!.tipFen, 500)
  })

  test('forged callbacks and a wrong app_secret are refused', async ({ assert }) => {
    sandbox.control.setFaults('dada', { badSignatureRate: 1 })
    const { acct } = await place('acct-dada-forged', 'ord_dada_e2e_forged')
    await sandbox.control.settled()
    const callbacks = callbacksFor(acct.id)
    assert.isAbove(callbacks.length, 2)
    for (const callback of callbacks) {
      const request = { headers: callback.headers, body: callback.body, query: {} }
      const refused = await host.verifyWebhook('dada', acct, request).catch((error: Error) => error)
      assert.equal((refused as Error).name, 'AuthError')
    }
    const wrong = account('acct-dada-wrong-secret', 'not-the-sandbox-secret')
    const failure = await host
      .call('dada', 'quote', [order('ord_dada_e2e_x')], { account: wrong })
      .catch((error) => error)
    assert.deepEqual([failure.name, failure.code], ['AuthError', '2003'])
  })

  test('a duplicated callback carries the same event id', async ({ assert }) => {
    sandbox.control.setFaults('dada', { duplicateRate: 1 })
    const { acct } = await place('acct-dada-dup', 'ord_dada_e2e_dup')
    await sandbox.control.settled()
    const copies = new Map<string, number>()
    for (const callback of callbacksFor(acct.id))
      copies.set(callback.body, (copies.get(callback.body) ?? 0) + 1)
    assert.isAbove(copies.size, 2)
    assert.isTrue(
      [...copies.values()].every((count) => count === 2),
      'every callback arrived twice'
    )
    for (const body of copies.keys()) {
      const request = { headers: { 'content-type': 'application/json' }, body, query: {} }
      const [first] = await host.verifyWebhook('dada', acct, request)
      const [second] = await host.verifyWebhook('dada', acct, request)
      assert.equal(first.eventId, second.eventId)
    }
    const events = await verified(acct.id)
    assert.equal(events.length, 2 * copies.size)
  })
})
