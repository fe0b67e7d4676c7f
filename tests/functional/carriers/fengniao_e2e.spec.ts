/**
 * End to end: the real Fengniao v3 plugin, packed and installed, running in the
 * hub's sandboxed worker host, talking to the carrier sandbox's Fengniao emulator
 * over HTTP (token first, then signed calls). Fengniao calls back the URL registered
 * for the app; a local receiver stands in for the hub and the plugin verifies the
 * callbacks through the host.
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
import { FENGNIAO_SANDBOX_ACCOUNT, fengniaoEmulator } from '#sandbox/carriers/fengniao'
import {
  startCallbackReceiver,
  type CallbackReceiver,
} from '#tests/functional/sandbox/support/callback_receiver'
import { startTestSandbox } from '#tests/functional/sandbox/support/sandbox_setup'
import { assertOnHubClock } from '#tests/functional/carriers/support/hub_clock'

const FENGNIAO_DIR = fileURLToPath(new URL('../../../plugins/fengniao/', import.meta.url))
const { accountKey: APP_ID, credentials: CREDENTIALS } = FENGNIAO_SANDBOX_ACCOUNT

/** What Fengniao pushes per sandbox state (null: no push), and the plugin's unified status. */
const FENGNIAO_PUSH: Record<string, string | null> = {
  accepted: '20:accepted',
  arrived: '80:arrived_at_store',
  picked_up: '2:picked_up',
  delivering: null,
  delivered: '3:delivered',
}

test.group('Carriers | fengniao plugin against the sandbox', (group) => {
  let sandbox: RunningSandbox
  let receiver: CallbackReceiver
  let host: PluginHost
  let baseOrder: HubOrder

  group.setup(async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'fengniao-e2e-'))
    const packed = await pack(FENGNIAO_DIR, { outDir: scratch })
    const installed = await installPackage(packed.tarball, join(scratch, 'installed'))
    receiver = await startCallbackReceiver()
    sandbox = await startTestSandbox({ emulators: [fengniaoEmulator] })
    host = new PluginHost({ extraEgress: [`127.0.0.1:${sandbox.port}`] })
    await host.load(installed.dir)
    baseOrder = JSON.parse(await readFile(join(FENGNIAO_DIR, 'fixtures/order.json'), 'utf8'))
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
    sandbox.control.setAccount('fengniao', APP_ID, {
      callbackUrl: `${receiver.url}/api/v1/webhooks/acct-fengniao`,
    })
    receiver.received.length = 0
  })

  const account = (id: string, secret = CREDENTIALS.app_secret) => ({
    id,
    config: {
      baseUrl: `${sandbox.url}/fengniao`,
      appId: APP_ID,
      appSecret: secret,
      merchantId: CREDENTIALS.merchant_id,
      chainStoreId: CREDENTIALS.chain_store_id,
      authCode: '',
      cancelReasonCode: 9,
      webhookToleranceS: 900,
    },
  })
  const order = (id: string): HubOrder => ({
    ...baseOrder,
    id,
    external_id: `POS-${id}`,
    tip_fen: 0,
  })

  async function verified(accountId: string, carrierOrderId: string): Promise<NormalizedEvent[]> {
    const events: NormalizedEvent[] = []
    for (const callback of receiver.received) {
      const request = { headers: callback.headers, body: callback.body, query: {} }
      const mine = await host.verifyWebhook('fengniao', account(accountId), request)
      events.push(...mine.filter((event) => event.carrierOrderId === carrierOrderId))
    }
    return events
  }

  async function place(accountId: string, orderId: string) {
    const acct = account(accountId)
    const hubOrder = order(orderId)
    const quote = await host.call('fengniao', 'quote', [hubOrder], { account: acct })
    const created = await host.call(
      'fengniao',
      'create',
      [hubOrder, quote, `${orderId}:attempt-1`],
      {
        account: acct,
      }
    )
    return { acct, quote, created, ref: { orderId, carrierOrderId: created.carrierOrderId } }
  }

  test('token → preCreateOrder → createOrder → signed callbacks verified → delivered', async ({
    assert,
  }) => {
    const { acct, quote, created, ref } = await place('acct-fn-happy', 'ord_fn_e2e_1')
    assert.isAbove(quote.feeFen, 0)
    assert.equal(quote.quoteToken, '30001:10001')
    assert.match(created.carrierOrderId, /^\d{16}$/)
    await sandbox.control.settled()

    // One 1 at creation; per rider a 20 (no step back to 1 when one drops the order);
    // then 80, 2 and 3; nothing for "on the way".
    const delivery = sandbox.control.delivery('fengniao', created.carrierOrderId)!
    const expected = ['1:dispatching']
    for (const entry of delivery.history.slice(1)) {
      const push = FENGNIAO_PUSH[entry.state]
      if (push) expected.push(push)
    }
    const events = await verified(acct.id, created.carrierOrderId)
    assertOnHubClock(assert, events)
    assert.deepEqual(
      events.map((event) => `${event.carrierStatus}:${event.status}`),
      expected
    )
    assert.equal(expected.at(-1), '3:delivered')
    assert.equal(new Set(events.map((event) => event.eventId)).size, events.length)
    const track = await host.call('fengniao', 'track', [ref], { account: acct })
    assert.equal(track.at(-1)?.status, 'delivered')
    const position = await host.call('fengniao', 'riderLocation', [ref], { account: acct })
    assert.closeTo(position.lat, baseOrder.recipient.lat, 1e-5)
  })

  test('pre-cancel previews the fee cancel then charges', async ({ assert }) => {
    sandbox.control.setClock({ speed: 0 })
    const { acct, created, ref } = await place('acct-fn-cancel', 'ord_fn_e2e_cancel')
    assert.deepEqual(await host.call('fengniao', 'preCancel', [ref], { account: acct }), {
      feeFen: 0,
    })
    const accepted = sandbox.control
      .delivery('fengniao', created.carrierOrderId)!
      .plan.find((step) => step.state === 'accepted')!
    sandbox.control.setClock({ at: new Date(accepted.at) })
    await sandbox.control.waitFor(
      () => sandbox.control.delivery('fengniao', created.carrierOrderId)!.state === 'accepted'
    )

    const preview = await host.call('fengniao', 'preCancel', [ref], { account: acct })
    assert.equal(preview.feeFen, 200)
    assert.deepEqual(
      await host.call('fengniao', 'cancel', [ref, 'customer_cancelled'], { account: acct }),
      preview
    )
    await receiver.waitFor((received) =>
      received.some((callback) => callback.body.includes('order_status\\":4'))
    )
    const events = await verified(acct.id, created.carrierOrderId)
    const last = events.at(-1)!
    assert.deepInclude(last, {
      carrierStatus: '4',
      status: 'cancelled',
      note: 'customer_cancelled',
    })
  })

  test('a tip raises the fee at Fengniao', async ({ assert }) => {
    sandbox.control.setClock({ speed: 0 })
    const { acct, created, ref } = await place('acct-fn-tip', 'ord_fn_e2e_tip')
    assert.isNull(await host.call('fengniao', 'addTip', [ref, 300], { account: acct }))
    assert.equal(sandbox.control.delivery('fengniao', created.carrierOrderId)!.tipFen, 300)
  })

  test('forged callbacks and a wrong app_secret are refused', async ({ assert }) => {
    sandbox.control.setFaults('fengniao', { badSignatureRate: 1 })
    const { acct } = await place('acct-fn-forged', 'ord_fn_e2e_forged')
    await sandbox.control.settled()
    assert.isAbove(receiver.received.length, 2)
    for (const callback of receiver.received) {
      const request = { headers: callback.headers, body: callback.body, query: {} }
      const refused = await host
        .verifyWebhook('fengniao', acct, request)
        .catch((error: Error) => error)
      assert.deepEqual(
        [(refused as Error).name, (refused as Error & { code: string }).code],
        ['AuthError', 'bad_signature']
      )
    }
    const wrong = account('acct-fn-wrong-secret', 'not-the-sandbox-secret')
    const failure = await host
      .call('fengniao', 'quote', [order('ord_fn_e2e_x')], { account: wrong })
      .catch((error) => error)
    assert.deepEqual([failure.name, failure.code], ['AuthError', '40001'])
  })

  test('a duplicated callback carries the same event id', async ({ assert }) => {
    sandbox.control.setFaults('fengniao', { duplicateRate: 1 })
    const { acct, created } = await place('acct-fn-dup', 'ord_fn_e2e_dup')
    await sandbox.control.settled()
    const events = await verified(acct.id, created.carrierOrderId)
    const counts = new Map<string, number>()
    for (const event of events) counts.set(event.eventId, (counts.get(event.eventId) ?? 0) + 1)
    assert.isAbove(counts.size, 2)
    assert.isTrue(
      [...counts.values()].every((count) => count === 2),
      'every event arrived twice under one id'
    )
  })
})
