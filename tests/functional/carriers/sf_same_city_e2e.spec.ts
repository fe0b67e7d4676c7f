/**
 * End to end: the real SF Same-city plugin, packed and installed, running in the hub's
 * sandboxed worker host, talking to the carrier sandbox's SF emulator over HTTP.
 * SF posts callbacks to the URL configured on the developer account, with `?sign=`;
 * a local receiver stands in for the hub and the plugin verifies them through the host.
 */
import { test } from '@japa/runner'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { HubOrder, NormalizedEvent, RawWebhookRequest } from '#sdk/contract'
import { pack } from '#sdk/packaging/pack'
import { installPackage } from '#carriers/package_installer'
import { PluginHost } from '#carriers/plugin_host'
import type { RunningSandbox } from '#sandbox/start_sandbox'
import sfEmulator, { SF_SANDBOX_ACCOUNT } from '#sandbox/carriers/sf_same_city'
import {
  startCallbackReceiver,
  type CallbackReceiver,
  type ReceivedCallback,
} from '#tests/functional/sandbox/support/callback_receiver'
import { startTestSandbox } from '#tests/functional/sandbox/support/sandbox_setup'
import { assertOnHubClock } from '#tests/functional/carriers/support/hub_clock'

const SF_DIR = fileURLToPath(new URL('../../../plugins/sf_same_city/', import.meta.url))
const CARRIER = 'sf_same_city'

/** What SF posts for each planned state, and the unified status the plugin maps it to. */
const SF_PUSH: Record<string, string | null> = {
  accepted: '10:accepted',
  arrived: '12:arrived_at_store',
  picked_up: '15:picked_up',
  delivering: null,
  delivered: '17:delivered',
  cancelled: '2:cancelled',
  waiting: '22:dispatching',
}

test.group('Carriers | sf_same_city plugin against the sandbox', (group) => {
  let sandbox: RunningSandbox
  let receiver: CallbackReceiver
  let host: PluginHost
  let baseOrder: HubOrder

  group.setup(async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'sf-e2e-'))
    const packed = await pack(SF_DIR, { outDir: scratch })
    const installed = await installPackage(packed.tarball, join(scratch, 'installed'))
    receiver = await startCallbackReceiver()
    sandbox = await startTestSandbox({ emulators: [sfEmulator] })
    host = new PluginHost({ extraEgress: [`127.0.0.1:${sandbox.port}`] })
    await host.load(installed.dir)
    baseOrder = JSON.parse(await readFile(join(SF_DIR, 'fixtures/order.json'), 'utf8'))
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

  /** One hub account per test (its own breaker); SF's callbacks go to that account's path. */
  const account = (id: string, devKey = SF_SANDBOX_ACCOUNT.credentials.dev_key) => {
    sandbox.control.setAccount(CARRIER, SF_SANDBOX_ACCOUNT.accountKey, {
      callbackUrl: `${receiver.url}/api/v1/webhooks/${id}`,
    })
    return {
      id,
      config: {
        baseUrl: `${sandbox.url}/${CARRIER}`,
        devId: SF_SANDBOX_ACCOUNT.accountKey,
        devKey,
        shopId: SF_SANDBOX_ACCOUNT.credentials.shop_id,
      },
    }
  }
  const order = (id: string): HubOrder => ({
    ...baseOrder,
    id,
    external_id: `POS-${id}`,
    tip_fen: 0,
  })

  const asWebhook = (callback: ReceivedCallback): RawWebhookRequest => ({
    headers: callback.headers,
    body: callback.body,
    query: Object.fromEntries(new URL(callback.path, receiver.url).searchParams),
  })
  const callbacksFor = (accountId: string) =>
    receiver.received.filter((callback) =>
      callback.path.startsWith(`/api/v1/webhooks/${accountId}?`)
    )

  async function verified(acct: ReturnType<typeof account>): Promise<NormalizedEvent[]> {
    const events: NormalizedEvent[] = []
    for (const callback of callbacksFor(acct.id))
      events.push(...(await host.verifyWebhook(CARRIER, acct, asWebhook(callback))))
    return events
  }

  async function place(accountId: string, orderId: string) {
    const acct = account(accountId)
    const hubOrder = order(orderId)
    const quote = await host.call(CARRIER, 'quote', [hubOrder], { account: acct })
    const created = await host.call(CARRIER, 'create', [hubOrder, quote, `${orderId}:attempt-1`], {
      account: acct,
    })
    return { acct, quote, created, ref: { orderId, carrierOrderId: created.carrierOrderId } }
  }

  test('precreateorder → createorder → signed callbacks verified by the plugin → delivered', async ({
    assert,
  }) => {
    const { acct, quote, created, ref } = await place('acct-sf-happy', 'ord_sf_e2e_1')
    assert.isAbove(quote.feeFen, 0)
    assert.equal(quote.quoteToken, '')
    assert.isAbove(quote.dropoffEtaS, quote.pickupEtaS)
    assert.isAbove(quote.distanceM, 0)
    assert.match(created.carrierOrderId, /^\d{16}$/)
    assert.isAbove(created.feeFen!, 0)
    await sandbox.control.settled()

    // SF announces no fresh order and has no push for "on the way"; a rider dropping the
    // order shows as 22 before the next acceptance.
    const plan = sandbox.control.delivery(CARRIER, created.carrierOrderId)!.plan
    const expected = plan.map((step) => SF_PUSH[step.state]).filter((push) => push !== null)
    const events = await verified(acct)
    assertOnHubClock(assert, events)
    assert.deepEqual(
      events.map((event) => `${event.carrierStatus}:${event.status}`),
      expected
    )
    assert.equal(expected.at(-1), '17:delivered')
    assert.isTrue(events.every((event) => event.carrierOrderId === created.carrierOrderId))
    assert.exists(events.find((event) => event.status === 'accepted')?.rider?.name)
    const [track] = await host.call(CARRIER, 'track', [ref], { account: acct })
    assert.deepInclude(track, { carrierStatus: '17', status: 'delivered' })
    const position = await host.call(CARRIER, 'riderLocation', [ref], { account: acct })
    assert.closeTo(position.lat, baseOrder.recipient.lat, 1e-6)
    assert.closeTo(position.lng, baseOrder.recipient.lng, 1e-6)
  })

  test('cancel after acceptance returns the deduction SF previewed', async ({ assert }) => {
    sandbox.control.setClock({ speed: 0 })
    const { acct, created, ref } = await place('acct-sf-cancel', 'ord_sf_e2e_cancel')
    assert.deepEqual(await host.call(CARRIER, 'preCancel', [ref], { account: acct }), { feeFen: 0 })
    const accepted = sandbox.control
      .delivery(CARRIER, created.carrierOrderId)!
      .plan.find((step) => step.state === 'accepted')!
    sandbox.control.setClock({ at: new Date(accepted.at) })
    await sandbox.control.waitFor(
      () => sandbox.control.delivery(CARRIER, created.carrierOrderId)!.state === 'accepted'
    )
    const preview = await host.call(CARRIER, 'preCancel', [ref], { account: acct })
    assert.isAbove(preview.feeFen, 0)
    const cancelled = await host.call(CARRIER, 'cancel', [ref, 'customer_cancelled'], {
      account: acct,
    })
    assert.deepEqual(cancelled, preview)
    await receiver.waitFor(() =>
      callbacksFor(acct.id).some((callback) => callback.body.includes('"order_status":2'))
    )
    const events = await verified(acct)
    const last = events.at(-1)!
    assert.deepInclude(last, {
      carrierStatus: '2',
      status: 'cancelled',
      note: 'customer_cancelled',
    })
    const again = await host
      .call(CARRIER, 'preCancel', [ref], { account: acct })
      .catch((error: Error) => error)
    assert.deepInclude(again, { name: 'RejectedError', code: '2004' })
  })

  test('a gratuity raises the delivery’s fee at SF', async ({ assert }) => {
    sandbox.control.setClock({ speed: 0 })
    const { acct, created, ref } = await place('acct-sf-tip', 'ord_sf_e2e_tip')
    assert.isNull(await host.call(CARRIER, 'addTip', [ref, 300], { account: acct }))
    assert.isNull(await host.call(CARRIER, 'addTip', [ref, 200], { account: acct }))
    assert.equal(sandbox.control.delivery(CARRIER, created.carrierOrderId)!.tipFen, 500)
  })

  test('forged callbacks and a wrong dev_key are refused', async ({ assert }) => {
    sandbox.control.setFaults(CARRIER, { badSignatureRate: 1 })
    const { acct, created } = await place('acct-sf-forged', 'ord_sf_e2e_forged')
    await sandbox.control.settled()
    const callbacks = callbacksFor(acct.id)
    const plan = sandbox.control.delivery(CARRIER, created.carrierOrderId)!.plan
    const pushes = plan.map((step) => SF_PUSH[step.state]).filter((push) => push !== null)
    assert.lengthOf(callbacks, pushes.length)
    assert.isAtLeast(callbacks.length, 2)
    for (const callback of callbacks) {
      const refused = await host
        .verifyWebhook(CARRIER, acct, asWebhook(callback))
        .catch((error: Error) => error)
      assert.deepInclude(refused, { name: 'AuthError', code: 'bad_signature' })
    }
    const wrong = account('acct-sf-wrong-key', 'not-the-sandbox-dev-key')
    const failure = await host
      .call(CARRIER, 'quote', [order('ord_sf_e2e_x')], { account: wrong })
      .catch((error) => error)
    assert.deepEqual([failure.name, failure.code], ['AuthError', '1002'])
  })

  test('a duplicated callback carries the same event id', async ({ assert }) => {
    sandbox.control.setFaults(CARRIER, { duplicateRate: 1 })
    const { acct } = await place('acct-sf-dup', 'ord_sf_e2e_dup')
    await sandbox.control.settled()
    const copies = new Map<string, ReceivedCallback[]>()
    for (const callback of callbacksFor(acct.id))
      copies.set(callback.path + callback.body, [
        ...(copies.get(callback.path + callback.body) ?? []),
        callback,
      ])
    assert.isAbove(copies.size, 2)
    for (const [first, second] of copies.values()) {
      assert.exists(second, 'every callback arrived twice')
      const [one] = await host.verifyWebhook(CARRIER, acct, asWebhook(first))
      const [two] = await host.verifyWebhook(CARRIER, acct, asWebhook(second))
      assert.equal(one.eventId, two.eventId)
    }
    const events = await verified(acct)
    const ids = events.map((event) => event.eventId)
    assert.equal(new Set(ids).size, copies.size, 'distinct callbacks have distinct ids')
  })
})
