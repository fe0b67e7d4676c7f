/**
 * End to end: the real UU Paotui plugin, packed and installed, running in the hub's
 * sandboxed worker host, talking to the carrier sandbox's UU emulator over HTTP.
 * UU posts signed JSON callbacks to the callback_url sent with each order; a local
 * receiver stands in for the hub and the plugin verifies them through the host.
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
import uuEmulator, { UU_SANDBOX_ACCOUNT } from '#sandbox/carriers/uu'
import {
  startCallbackReceiver,
  type CallbackReceiver,
  type ReceivedCallback,
} from '#tests/functional/sandbox/support/callback_receiver'
import { startTestSandbox } from '#tests/functional/sandbox/support/sandbox_setup'
import { assertOnHubClock } from '#tests/functional/carriers/support/hub_clock'

const UU_DIR = fileURLToPath(new URL('../../../plugins/uu/', import.meta.url))
const CARRIER = 'uu'

/** What UU posts for each planned state, and the unified status the plugin maps it to. */
const UU_PUSH: Record<string, string> = {
  waiting: '1:dispatching',
  accepted: '3:accepted',
  arrived: '4:arrived_at_store',
  picked_up: '5:picked_up',
  delivering: '6:delivering',
  delivered: '10:delivered',
  cancelled: '-1:cancelled',
}

test.group('Carriers | uu plugin against the sandbox', (group) => {
  let sandbox: RunningSandbox
  let receiver: CallbackReceiver
  let host: PluginHost
  let baseOrder: HubOrder

  group.setup(async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'uu-e2e-'))
    const packed = await pack(UU_DIR, { outDir: scratch })
    const installed = await installPackage(packed.tarball, join(scratch, 'installed'))
    receiver = await startCallbackReceiver()
    sandbox = await startTestSandbox({ emulators: [uuEmulator] })
    host = new PluginHost({ extraEgress: [`127.0.0.1:${sandbox.port}`] })
    await host.load(installed.dir)
    baseOrder = JSON.parse(await readFile(join(UU_DIR, 'fixtures/order.json'), 'utf8'))
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

  /** One hub account per test (its own breaker); its orders name its callback path. */
  const account = (id: string, appKey = UU_SANDBOX_ACCOUNT.credentials.app_key) => ({
    id,
    config: {
      baseUrl: `${sandbox.url}/${CARRIER}`,
      appId: UU_SANDBOX_ACCOUNT.accountKey,
      appKey,
      openId: UU_SANDBOX_ACCOUNT.credentials.openid,
      callbackUrl: `${receiver.url}/api/v1/webhooks/${id}`,
    },
  })
  const order = (id: string): HubOrder => ({
    ...baseOrder,
    id,
    external_id: `POS-${id}`,
    tip_fen: 0,
  })

  const asWebhook = (callback: ReceivedCallback): RawWebhookRequest => ({
    headers: callback.headers,
    body: callback.body,
    query: {},
  })
  const callbacksFor = (accountId: string) =>
    receiver.received.filter((callback) => callback.path === `/api/v1/webhooks/${accountId}`)

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

  test('getorderprice → addorder → signed callbacks verified by the plugin → delivered', async ({
    assert,
  }) => {
    const { acct, quote, created, ref } = await place('acct-uu-happy', 'ord_uu_e2e_1')
    assert.isAbove(quote.feeFen, 0)
    assert.match(quote.quoteToken, new RegExp(`^Q[0-9a-f]{16}:${quote.feeFen}$`))
    assert.isAbove(quote.dropoffEtaS, quote.pickupEtaS)
    assert.match(created.carrierOrderId, /^\d{16}$/)
    await sandbox.control.settled()

    // UU posts every state, including a repeat of 1 and 3 when a runner drops the order.
    const plan = sandbox.control.delivery(CARRIER, created.carrierOrderId)!.plan
    const expected = ['waiting', ...plan.map((step) => step.state)].map((state) => UU_PUSH[state])
    const events = await verified(acct)
    assertOnHubClock(assert, events)
    assert.deepEqual(
      events.map((event) => `${event.carrierStatus}:${event.status}`),
      expected
    )
    assert.equal(expected.at(-1), '10:delivered')
    assert.isTrue(events.every((event) => event.carrierOrderId === created.carrierOrderId))
    assert.exists(events.find((event) => event.status === 'accepted')?.rider?.name)
    const delivery = sandbox.control.delivery(CARRIER, created.carrierOrderId)!
    assert.deepInclude(delivery.extra, { originId: 'ord_uu_e2e_1' })
    const [track] = await host.call(CARRIER, 'track', [ref], { account: acct })
    assert.deepInclude(track, { carrierStatus: '10', status: 'delivered' })
    // The runner's position travels as BD-09 and comes back within a metre.
    const position = await host.call(CARRIER, 'riderLocation', [ref], { account: acct })
    assert.closeTo(position.lat, baseOrder.recipient.lat, 1e-5)
    assert.closeTo(position.lng, baseOrder.recipient.lng, 1e-5)
  })

  test('cancel after acceptance costs the penalty gethomeservicefee previewed', async ({
    assert,
  }) => {
    sandbox.control.setClock({ speed: 0 })
    const { acct, created, ref } = await place('acct-uu-cancel', 'ord_uu_e2e_cancel')
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
      callbacksFor(acct.id).some((callback) => callback.body.includes('"state":"-1"'))
    )
    const events = await verified(acct)
    const last = events.at(-1)!
    assert.deepInclude(last, {
      carrierStatus: '-1',
      status: 'cancelled',
      note: 'customer_cancelled',
    })
    const again = await host
      .call(CARRIER, 'preCancel', [ref], { account: acct })
      .catch((error: Error) => error)
    assert.deepInclude(again, { name: 'RejectedError', code: '-4003' })
  })

  test('payonlinefee tips add up at UU', async ({ assert }) => {
    sandbox.control.setClock({ speed: 0 })
    const { acct, created, ref } = await place('acct-uu-tip', 'ord_uu_e2e_tip')
    assert.isNull(await host.call(CARRIER, 'addTip', [ref, 300], { account: acct }))
    assert.isNull(await host.call(CARRIER, 'addTip', [ref, 250], { account: acct }))
    assert.equal(sandbox.control.delivery(CARRIER, created.carrierOrderId)!.tipFen, 550)
  })

  test('forged callbacks and a wrong app key are refused', async ({ assert }) => {
    sandbox.control.setFaults(CARRIER, { badSignatureRate: 1 })
    const { acct, created } = await place('acct-uu-forged', 'ord_uu_e2e_forged')
    await sandbox.control.settled()
    const callbacks = callbacksFor(acct.id)
    const plan = sandbox.control.delivery(CARRIER, created.carrierOrderId)!.plan
    const pushes = ['waiting', ...plan.map((step) => step.state)].map((state) => UU_PUSH[state])
    assert.lengthOf(callbacks, pushes.length)
    assert.isAtLeast(callbacks.length, 2)
    for (const callback of callbacks) {
      const refused = await host
        .verifyWebhook(CARRIER, acct, asWebhook(callback))
        .catch((error: Error) => error)
      assert.deepInclude(refused, { name: 'AuthError', code: 'bad_signature' })
    }
    const wrong = account('acct-uu-wrong-key', 'not-the-sandbox-app-key')
    const failure = await host
      .call(CARRIER, 'quote', [order('ord_uu_e2e_x')], { account: wrong })
      .catch((error) => error)
    assert.deepEqual([failure.name, failure.code], ['AuthError', '-104'])
  })

  test('a duplicated callback carries the same event id', async ({ assert }) => {
    sandbox.control.setFaults(CARRIER, { duplicateRate: 1 })
    const { acct } = await place('acct-uu-dup', 'ord_uu_e2e_dup')
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
