/**
 * End to end: the real Meituan Peisong plugin, packed and installed, running in the
 * hub's sandboxed worker host, talking to the carrier sandbox's Meituan emulator over
 * HTTP. Meituan calls back the URL registered for the appkey; a local receiver
 * stands in for the hub and the plugin verifies the signed forms through the host.
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
import { MEITUAN_SANDBOX_ACCOUNT, meituanEmulator } from '#sandbox/carriers/meituan'
import {
  startCallbackReceiver,
  type CallbackReceiver,
} from '#tests/functional/sandbox/support/callback_receiver'
import { startTestSandbox } from '#tests/functional/sandbox/support/sandbox_setup'
import { assertOnHubClock } from '#tests/functional/carriers/support/hub_clock'

const MEITUAN_DIR = fileURLToPath(new URL('../../../plugins/meituan/', import.meta.url))
const HOOK_PATH = '/api/v1/webhooks/acct-meituan'

test.group('Carriers | meituan plugin against the sandbox', (group) => {
  let sandbox: RunningSandbox
  let receiver: CallbackReceiver
  let host: PluginHost
  let baseOrder: HubOrder

  group.setup(async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'meituan-e2e-'))
    const packed = await pack(MEITUAN_DIR, { outDir: scratch })
    const installed = await installPackage(packed.tarball, join(scratch, 'installed'))
    receiver = await startCallbackReceiver()
    sandbox = await startTestSandbox({ emulators: [meituanEmulator] })
    host = new PluginHost({ extraEgress: [`127.0.0.1:${sandbox.port}`] })
    await host.load(installed.dir)
    baseOrder = JSON.parse(await readFile(join(MEITUAN_DIR, 'fixtures/order.json'), 'utf8'))
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
    sandbox.control.setAccount('meituan', MEITUAN_SANDBOX_ACCOUNT.accountKey, {
      callbackUrl: `${receiver.url}${HOOK_PATH}`,
    })
    receiver.received.length = 0
  })

  const account = (id: string, secret = MEITUAN_SANDBOX_ACCOUNT.credentials.secret) => ({
    id,
    config: {
      baseUrl: `${sandbox.url}/meituan`,
      appKey: MEITUAN_SANDBOX_ACCOUNT.accountKey,
      appSecret: secret,
      shopId: MEITUAN_SANDBOX_ACCOUNT.credentials.shop_id,
      deliveryServiceCode: 4011,
      webhookToleranceS: 600,
    },
  })
  const order = (id: string): HubOrder => ({ ...baseOrder, id, external_id: `POS-${id}` })

  async function verified(accountId: string, carrierOrderId: string): Promise<NormalizedEvent[]> {
    const events: NormalizedEvent[] = []
    for (const callback of receiver.received) {
      const request = { headers: callback.headers, body: callback.body, query: {} }
      const mine = await host.verifyWebhook('meituan', account(accountId), request)
      events.push(...mine.filter((event) => event.carrierOrderId === carrierOrderId))
    }
    return events
  }

  async function place(accountId: string, orderId: string) {
    const acct = account(accountId)
    const hubOrder = order(orderId)
    const quote = await host.call('meituan', 'quote', [hubOrder], { account: acct })
    const created = await host.call(
      'meituan',
      'create',
      [hubOrder, quote, `${orderId}:attempt-1`],
      {
        account: acct,
      }
    )
    const mtPeisongId = created.carrierOrderId.split(':')[0]
    return {
      acct,
      quote,
      created,
      mtPeisongId,
      ref: { orderId, carrierOrderId: created.carrierOrderId },
    }
  }

  test('preview → createByShop → signed callbacks verified by the plugin → delivered', async ({
    assert,
  }) => {
    const { acct, quote, created, mtPeisongId, ref } = await place('acct-mt-happy', 'ord_mt_e2e_1')
    assert.isAbove(quote.feeFen, 0)
    assert.equal(quote.quoteToken, '')
    assert.match(created.carrierOrderId, /^\d{16}:\d+$/)
    await sandbox.control.settled()

    // Meituan pushes 0 once, 20 per rider (a reassignment repeats it), 30 and 50;
    // never arrival, "on the way", or a step back to 0.
    const delivery = sandbox.control.delivery('meituan', mtPeisongId)!
    const riders = new Set(
      delivery.history.filter((entry) => entry.state === 'accepted').map((entry) => entry.riderId)
    )
    const expected = [
      '0:dispatching',
      ...[...riders].map(() => '20:accepted'),
      '30:picked_up',
      '50:delivered',
    ]
    const events = await verified(acct.id, created.carrierOrderId)
    assertOnHubClock(assert, events)
    assert.deepEqual(
      events.map((event) => `${event.carrierStatus}:${event.status}`),
      expected
    )
    assert.equal(new Set(events.map((event) => event.eventId)).size, events.length)
    assert.exists(events[1].rider?.phone)
    const [tracked] = await host.call('meituan', 'track', [ref], { account: acct })
    assert.deepInclude(tracked, { carrierStatus: '50', status: 'delivered' })
    const position = await host.call('meituan', 'riderLocation', [ref], { account: acct })
    assert.closeTo(position.lat, baseOrder.recipient.lat, 1e-5)
    assert.closeTo(position.lng, baseOrder.recipient.lng, 1e-5)
  })

  test('the same idempotency key creates one delivery', async ({ assert }) => {
    sandbox.control.setClock({ speed: 0 })
    const { acct, quote, created } = await place('acct-mt-retry', 'ord_mt_e2e_retry')
    const retried = await host.call(
      'meituan',
      'create',
      [order('ord_mt_e2e_retry'), quote, 'ord_mt_e2e_retry:attempt-1'],
      {
        account: acct,
      }
    )
    assert.equal(retried.carrierOrderId, created.carrierOrderId)
    assert.lengthOf(sandbox.control.records({ carrier: 'meituan' }).deliveries ?? [], 1)
  })

  test('cancel after acceptance: Meituan charges its fee and reports 99', async ({ assert }) => {
    sandbox.control.setClock({ speed: 0 })
    const { acct, created, mtPeisongId, ref } = await place('acct-mt-cancel', 'ord_mt_e2e_cancel')
    const accepted = sandbox.control
      .delivery('meituan', mtPeisongId)!
      .plan.find((step) => step.state === 'accepted')!
    sandbox.control.setClock({ at: new Date(accepted.at) })
    await sandbox.control.waitFor(
      () => sandbox.control.delivery('meituan', mtPeisongId)!.state === 'accepted'
    )

    assert.deepEqual(
      await host.call('meituan', 'cancel', [ref, 'customer_cancelled'], { account: acct }),
      {}
    )
    assert.deepInclude(sandbox.control.delivery('meituan', mtPeisongId)!.cancellation!, {
      by: 'merchant',
      feeFen: 300,
    })
    await receiver.waitFor((received) =>
      received.some((callback) => callback.body.includes('status=99'))
    )
    const events = await verified(acct.id, created.carrierOrderId)
    const last = events.at(-1)!
    assert.deepInclude(last, {
      carrierStatus: '99',
      status: 'cancelled',
      note: 'customer_cancelled',
    })
  })

  test('a tip raises the fee at Meituan; fractions of a yuan are refused before any call', async ({
    assert,
  }) => {
    sandbox.control.setClock({ speed: 0 })
    const { acct, mtPeisongId, ref } = await place('acct-mt-tip', 'ord_mt_e2e_tip')
    assert.isNull(await host.call('meituan', 'addTip', [ref, 300], { account: acct }))
    assert.equal(sandbox.control.delivery('meituan', mtPeisongId)!.tipFen, 300)
    const refused = await host
      .call('meituan', 'addTip', [ref, 250], { account: acct })
      .catch((error) => error)
    assert.deepEqual([refused.name, refused.code], ['InvalidRequestError', 'invalid_tip_amount'])
  })

  test('forged callbacks and a wrong secret are refused', async ({ assert }) => {
    sandbox.control.setFaults('meituan', { badSignatureRate: 1 })
    const { acct } = await place('acct-mt-forged', 'ord_mt_e2e_forged')
    await sandbox.control.settled()
    assert.isAbove(receiver.received.length, 2)
    for (const callback of receiver.received) {
      const request = { headers: callback.headers, body: callback.body, query: {} }
      const refused = await host
        .verifyWebhook('meituan', acct, request)
        .catch((error: Error) => error)
      assert.deepEqual(
        [(refused as Error).name, (refused as Error & { code: string }).code],
        ['AuthError', 'bad_signature']
      )
    }
    const wrong = account('acct-mt-wrong-secret', 'not-the-sandbox-secret')
    const failure = await host
      .call('meituan', 'quote', [order('ord_mt_e2e_x')], { account: wrong })
      .catch((error) => error)
    assert.deepEqual([failure.name, failure.code], ['AuthError', '3'])
  })

  test('a duplicated callback carries the same event id', async ({ assert }) => {
    sandbox.control.setFaults('meituan', { duplicateRate: 1 })
    const { acct, created } = await place('acct-mt-dup', 'ord_mt_e2e_dup')
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
