/**
 * End to end: the real Shansong plugin, packed and installed, running in the hub's
 * sandboxed worker host, talking to the carrier sandbox's Shansong emulator over HTTP.
 * Shansong posts form-encoded, signed callbacks to the URL set on the account; a local
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
import shansongEmulator, { SHANSONG_SANDBOX_ACCOUNT } from '#sandbox/carriers/shansong'
import {
  startCallbackReceiver,
  type CallbackReceiver,
  type ReceivedCallback,
} from '#tests/functional/sandbox/support/callback_receiver'
import { startTestSandbox } from '#tests/functional/sandbox/support/sandbox_setup'
import { assertOnHubClock } from '#tests/functional/carriers/support/hub_clock'

const SHANSONG_DIR = fileURLToPath(new URL('../../../plugins/shansong/', import.meta.url))
const CARRIER = 'shansong'

/** What Shansong posts for each planned state, and the unified status the plugin maps it to. */
const SHANSONG_PUSH: Record<string, string | null> = {
  waiting: '20:dispatching',
  accepted: '30:accepted',
  arrived: null,
  picked_up: '40:picked_up',
  delivering: null,
  delivered: '50:delivered',
  cancelled: '60:cancelled',
}

test.group('Carriers | shansong plugin against the sandbox', (group) => {
  let sandbox: RunningSandbox
  let receiver: CallbackReceiver
  let host: PluginHost
  let baseOrder: HubOrder

  group.setup(async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'shansong-e2e-'))
    const packed = await pack(SHANSONG_DIR, { outDir: scratch })
    const installed = await installPackage(packed.tarball, join(scratch, 'installed'))
    receiver = await startCallbackReceiver()
    sandbox = await startTestSandbox({ emulators: [shansongEmulator] })
    host = new PluginHost({ extraEgress: [`127.0.0.1:${sandbox.port}`] })
    await host.load(installed.dir)
    baseOrder = JSON.parse(await readFile(join(SHANSONG_DIR, 'fixtures/order.json'), 'utf8'))
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

  /** One hub account per test (its own breaker); Shansong's callbacks go to that account's path. */
  const account = (id: string, appSecret = SHANSONG_SANDBOX_ACCOUNT.credentials.app_secret) => {
    sandbox.control.setAccount(CARRIER, SHANSONG_SANDBOX_ACCOUNT.accountKey, {
      callbackUrl: `${receiver.url}/api/v1/webhooks/${id}`,
    })
    return {
      id,
      config: {
        baseUrl: `${sandbox.url}/${CARRIER}`,
        clientId: SHANSONG_SANDBOX_ACCOUNT.accountKey,
        shopId: SHANSONG_SANDBOX_ACCOUNT.credentials.shop_id,
        appSecret,
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

  test('orderCalculate → orderPlace → signed callbacks verified by the plugin → delivered', async ({
    assert,
  }) => {
    const { acct, quote, created, ref } = await place('acct-ss-happy', 'ord_ss_e2e_1')
    assert.isAbove(quote.feeFen, 0)
    assert.match(quote.quoteToken, /^Q[0-9a-f]{16}$/)
    assert.isAbove(quote.dropoffEtaS, quote.pickupEtaS)
    assert.deepEqual(created, { carrierOrderId: quote.quoteToken, feeFen: quote.feeFen })
    await sandbox.control.settled()

    // Shansong posts 20 for the placed order and has no code for "at the store" or
    // "on the way"; a rider dropping the order shows as 20 again.
    const plan = sandbox.control.delivery(CARRIER, created.carrierOrderId)!.plan
    const expected = ['waiting', ...plan.map((step) => step.state)]
      .map((state) => SHANSONG_PUSH[state])
      .filter((push) => push !== null)
    const events = await verified(acct)
    assertOnHubClock(assert, events)
    assert.deepEqual(
      events.map((event) => `${event.carrierStatus}:${event.status}`),
      expected
    )
    assert.equal(expected.at(-1), '50:delivered')
    const delivery = sandbox.control.delivery(CARRIER, created.carrierOrderId)!
    assert.equal(delivery.extra.thirdOrderNo, 'ord_ss_e2e_1')
    assert.isTrue(events.every((event) => event.carrierOrderId === created.carrierOrderId))
    assert.exists(events.find((event) => event.status === 'accepted')?.rider?.name)
    const track = await host.call(CARRIER, 'track', [ref], { account: acct })
    assert.deepEqual(
      track.map((event) => `${event.carrierStatus}:${event.status}`),
      expected
    )
    // The courier's position travels as BD-09 and comes back within a metre.
    const position = await host.call(CARRIER, 'riderLocation', [ref], { account: acct })
    assert.closeTo(position.lat, baseOrder.recipient.lat, 1e-5)
    assert.closeTo(position.lng, baseOrder.recipient.lng, 1e-5)
  })

  test('abortOrder after acceptance returns the deduction Shansong previewed', async ({
    assert,
  }) => {
    sandbox.control.setClock({ speed: 0 })
    const { acct, created, ref } = await place('acct-ss-cancel', 'ord_ss_e2e_cancel')
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
      callbacksFor(acct.id).some((callback) => callback.body.includes('%22status%22%3A60'))
    )
    const events = await verified(acct)
    const last = events.at(-1)!
    // abortOrder carries no reason, so the note is Shansong's own.
    assert.deepInclude(last, { carrierStatus: '60', status: 'cancelled', note: '商家取消' })
    const again = await host
      .call(CARRIER, 'preCancel', [ref], { account: acct })
      .catch((error: Error) => error)
    assert.deepInclude(again, { name: 'RejectedError', code: '30003' })
  })

  test('additions raise the fee at Shansong in whole yuan', async ({ assert }) => {
    sandbox.control.setClock({ speed: 0 })
    const { acct, created, ref } = await place('acct-ss-tip', 'ord_ss_e2e_tip')
    assert.isNull(await host.call(CARRIER, 'addTip', [ref, 300], { account: acct }))
    assert.isNull(await host.call(CARRIER, 'addTip', [ref, 200], { account: acct }))
    const odd = await host.call(CARRIER, 'addTip', [ref, 250], { account: acct }).catch((e) => e)
    assert.deepInclude(odd, { name: 'InvalidRequestError', code: 'addition_amount' })
    assert.equal(sandbox.control.delivery(CARRIER, created.carrierOrderId)!.tipFen, 500)
  })

  test('forged callbacks and a wrong app secret are refused', async ({ assert }) => {
    sandbox.control.setFaults(CARRIER, { badSignatureRate: 1 })
    const { acct, created } = await place('acct-ss-forged', 'ord_ss_e2e_forged')
    await sandbox.control.settled()
    const callbacks = callbacksFor(acct.id)
    const plan = sandbox.control.delivery(CARRIER, created.carrierOrderId)!.plan
    const pushes = ['waiting', ...plan.map((step) => step.state)]
      .map((state) => SHANSONG_PUSH[state])
      .filter((push) => push !== null)
    assert.lengthOf(callbacks, pushes.length)
    assert.isAtLeast(callbacks.length, 2)
    for (const callback of callbacks) {
      const refused = await host
        .verifyWebhook(CARRIER, acct, asWebhook(callback))
        .catch((error: Error) => error)
      assert.deepInclude(refused, { name: 'AuthError', code: 'bad_signature' })
    }
    const wrong = account('acct-ss-wrong-secret', 'not-the-sandbox-secret')
    const failure = await host
      .call(CARRIER, 'quote', [order('ord_ss_e2e_x')], { account: wrong })
      .catch((error) => error)
    assert.deepEqual([failure.name, failure.code], ['AuthError', '401'])
  })

  test('a duplicated callback carries the same event id', async ({ assert }) => {
    sandbox.control.setFaults(CARRIER, { duplicateRate: 1 })
    const { acct } = await place('acct-ss-dup', 'ord_ss_e2e_dup')
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
