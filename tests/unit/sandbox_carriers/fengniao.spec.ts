/**
 * The Fengniao v3 emulator against the real Fengniao plugin, in process: the
 * plugin's adapter (token included) reaches the emulator through a stubbed fetch over
 * a small fake EmulatorContext, so both sides of the wire format (signed envelopes,
 * business_data strings, fen, long order ids, status codes) are checked together;
 * callbacks are verified with the plugin's own verifyWebhook.
 */
import { test } from '@japa/runner'
import { readFile } from 'node:fs/promises'
import type { EmulatorContext, SandboxRequest } from '#sandbox/emulator'
import emulator, { FENGNIAO_SANDBOX_ACCOUNT } from '#sandbox/carriers/fengniao'
import { fengniaoSignature, sandboxAccessToken } from '#sandbox/carriers/fengniao/wire'
import type { CarrierMethods, HubOrder, NormalizedEvent } from '#sdk/contract'
import { NOW } from '#tests/unit/sandbox_carriers/support/fake_market'
import {
  FIRST_RIDER,
  reassignedRiders,
  SECOND_RIDER,
} from '#tests/unit/sandbox_carriers/support/riders'
import { emulatorHarness, testOrder } from '#tests/unit/sandbox_carriers/support/emulator_harness'
import plugin from '../../../plugins/fengniao/src/index.js'
import type { FengniaoConfig } from '../../../plugins/fengniao/src/mapper.js'

const HOOK = 'http://127.0.0.1:9/api/v1/webhooks/acct-fengniao'
const { accountKey: APP_ID, credentials: CREDENTIALS } = FENGNIAO_SANDBOX_ACCOUNT
const ORDER = testOrder(5001)

const move = reassignedRiders(FIRST_RIDER, SECOND_RIDER)

// Fengniao calls back the URL registered for the app; its order ids are 19 digits long.
const harness = emulatorHarness({
  emulator,
  plugin,
  callbackUrl: HOOK,
  price: { feeFen: 1250, distanceM: 1120, pickupEtaS: 300, dropoffEtaS: 1500 },
  move,
  deliveryIdPrefix: '210215000012345678',
  wallClock: true,
})
const { fakeMarket } = harness

const config = (overrides: Partial<FengniaoConfig> = {}): FengniaoConfig => ({
  baseUrl: 'http://sandbox.test/fengniao',
  appId: APP_ID,
  appSecret: CREDENTIALS.app_secret,
  merchantId: CREDENTIALS.merchant_id,
  chainStoreId: CREDENTIALS.chain_store_id,
  ...overrides,
})

const connect = (ctx: EmulatorContext, overrides: Partial<FengniaoConfig> = {}) =>
  harness.connect(ctx, config(overrides))

/** A business call signed like the plugin signs it, with fields replaced after signing. */
function call(path: string, business: Record<string, unknown>, after: Record<string, string> = {}) {
  const fields = {
    app_id: APP_ID,
    merchant_id: CREDENTIALS.merchant_id,
    timestamp: String(NOW.getTime()),
    version: '1.0',
    access_token: sandboxAccessToken(APP_ID, CREDENTIALS.merchant_id, CREDENTIALS.app_secret),
    business_data: JSON.stringify(business),
  }
  const rawBody = JSON.stringify({
    ...fields,
    signature: fengniaoSignature(fields, CREDENTIALS.app_secret),
    ...after,
  })
  return { method: 'POST', path, query: {}, headers: {}, rawBody }
}
const codeOf = (ctx: EmulatorContext, request: SandboxRequest) =>
  JSON.parse((emulator.handle(request, ctx) as any).body).code

async function placed(ctx: EmulatorContext, adapter: CarrierMethods, order: HubOrder = ORDER) {
  const quote = await adapter.quote!(order)
  const created = await adapter.create!(order, quote, `${order.id}:attempt-1`)
  return { quote, created, delivery: ctx.findDelivery('fengniao', created.carrierOrderId)! }
}

test.group('Sandbox carriers | fengniao', () => {
  test('signing matches the test vectors the plugin is held to', async ({ assert }) => {
    const { vectors } = JSON.parse(
      await readFile(
        new URL('../../../plugins/fengniao/fixtures/signatures.json', import.meta.url),
        'utf8'
      )
    )
    assert.lengthOf(vectors, 3)
    for (const vector of vectors)
      assert.equal(fengniaoSignature(vector.fields, vector.appSecret), vector.expected)
  })

  test('token, pre-create and create through the plugin: fen, product ids, long order id', async ({
    assert,
  }) => {
    const { ctx, deliveries } = fakeMarket()
    const { adapter, http } = connect(ctx)
    const { quote, created, delivery } = await placed(ctx, adapter, { ...ORDER, tip_fen: 200 })
    assert.deepInclude(quote, { feeFen: 1250, distanceM: 1120, quoteToken: '30001:10001' })
    assert.deepEqual(created, { carrierOrderId: '2102150000123456781' })
    assert.lengthOf(deliveries, 1)
    assert.deepInclude(delivery, { clientOrderId: 'ord_5001', tipFen: 200 })
    assert.deepEqual(delivery.from, { lat: 31.190236, lng: 121.436525 })
    assert.deepEqual(
      http.requests.map((request) => new URL(request.url).pathname),
      [
        '/fengniao/openapi/token',
        '/fengniao/v3/invoke/preCreateOrder',
        '/fengniao/v3/invoke/createOrder',
      ]
    )
  })

  test('partner_order_code is the retry key; after a cancel it is refused', async ({ assert }) => {
    const { ctx, deliveries } = fakeMarket()
    const { adapter } = connect(ctx)
    const { quote, created } = await placed(ctx, adapter)
    assert.deepEqual(await adapter.create!(ORDER, quote, 'ord_5001:attempt-2'), created)
    await adapter.cancel!(
      { orderId: ORDER.id, carrierOrderId: created.carrierOrderId },
      'customer_cancelled'
    )
    const again = (await adapter.create!(ORDER, quote, 'x').catch((caught) => caught)) as {
      name: string
      code: string
    }
    assert.deepEqual([again.name, again.code], ['InvalidRequestError', '40005'])
    assert.lengthOf(deliveries, 1)
  })

  test('no riders is an error, out of range an unusable product', async ({ assert }) => {
    for (const [reason, error, errorCode] of [
      ['no_capacity', 'CapacityError', '40011'],
      ['out_of_range', 'RejectedError', 'no_valid_goods'],
    ] as const) {
      const { adapter } = connect(fakeMarket({ quoteFails: reason }).ctx)
      const failure = (await adapter.quote!(ORDER).catch((caught) => caught)) as {
        name: string
        code: string
      }
      assert.deepEqual([failure.name, failure.code], [error, errorCode])
    }
  })

  test('bad signature, unknown app, stale timestamp, wrong token and merchant are refused', async ({
    assert,
  }) => {
    const { ctx } = fakeMarket()
    const path = '/v3/invoke/getOrderDetail'
    assert.equal(codeOf(ctx, call(path, { order_id: '1' })), '40004')
    assert.equal(
      codeOf(ctx, call(`/anubis-webapi${path}`, { order_id: '1' }, { signature: 'f'.repeat(64) })),
      '40001'
    )
    assert.equal(
      codeOf(ctx, call(path, { order_id: '1' }, { business_data: '{"order_id":"2"}' })),
      '40001'
    )
    assert.equal(codeOf(ctx, call(path, { order_id: '1' }, { app_id: 'nobody' })), '40001')
    const stale = call(path, { order_id: '1' })
    const fields = { ...JSON.parse(stale.rawBody), timestamp: String(NOW.getTime() - 3_600_000) }
    delete fields.signature
    stale.rawBody = JSON.stringify({
      ...fields,
      signature: fengniaoSignature(fields, CREDENTIALS.app_secret),
    })
    assert.equal(codeOf(ctx, stale), '40003')

    const pinned = connect(ctx, { accessToken: 'an-old-token' })
    const refused = (await pinned.adapter.quote!(ORDER).catch((caught) => caught)) as {
      name: string
      code: string
    }
    assert.deepEqual([refused.name, refused.code], ['AuthError', '40002'])
    const stranger = connect(ctx, { merchantId: '999' })
    const merchant = (await stranger.adapter.quote!(ORDER).catch((caught) => caught)) as {
      name: string
      code: string
    }
    assert.deepEqual([merchant.name, merchant.code], ['InvalidRequestError', '40000'])
  })

  test('pre-cancel and cancel agree on the cost; a delivered order cannot be cancelled', async ({
    assert,
  }) => {
    const { ctx } = fakeMarket()
    const { adapter } = connect(ctx)
    const { created, delivery } = await placed(ctx, adapter)
    const ref = { orderId: ORDER.id, carrierOrderId: created.carrierOrderId }
    assert.deepEqual(await adapter.preCancel!(ref), { feeFen: 0 })
    move(delivery, 'accepted')
    assert.deepEqual(await adapter.preCancel!(ref), { feeFen: 200 })
    assert.deepEqual(await adapter.cancel!(ref, 'customer_cancelled'), { feeFen: 200 })
    assert.deepInclude(delivery.cancellation!, { feeFen: 200, reason: 'customer_cancelled' })

    const other = fakeMarket()
    const second = connect(other.ctx)
    const done = await placed(other.ctx, second.adapter)
    move(done.delivery, 'accepted')
    move(done.delivery, 'delivered')
    const refused = (await second.adapter.cancel!(
      { orderId: ORDER.id, carrierOrderId: done.created.carrierOrderId },
      'x'
    ).catch((caught) => caught)) as { name: string; code: string }
    assert.deepEqual([refused.name, refused.code], ['RejectedError', '40006'])
  })

  test('tip (idempotent per third_index_id), order detail and rider info', async ({ assert }) => {
    const { ctx } = fakeMarket()
    const { adapter } = connect(ctx)
    const { created, delivery } = await placed(ctx, adapter)
    const ref = { orderId: ORDER.id, carrierOrderId: created.carrierOrderId }
    await adapter.addTip!(ref, 300)
    await adapter.addTip!(ref, 300) // same clock, same third_index_id: a replay
    assert.equal(delivery.tipFen, 300)
    const noRider = (await adapter.riderLocation!(ref).catch((caught) => caught)) as {
      name: string
    }
    assert.equal(noRider.name, 'InvalidRequestError')
    move(delivery, 'accepted')
    move(delivery, 'arrived')
    const events = await adapter.track!(ref)
    assert.deepEqual(
      events.map((event) => `${event.carrierStatus}:${event.status}`),
      ['1:dispatching', '20:accepted', '80:arrived_at_store']
    )
    assert.deepEqual(events[1].rider, { name: '张三', phone: '13700003333' })
    assert.deepInclude(await adapter.riderLocation!(ref), { lat: 31.1899, lng: 121.437 })
  })

  test('callbacks verify with the plugin; no "on the way" or going back; long ids survive', async ({
    assert,
  }) => {
    const { ctx, account } = fakeMarket()
    const { adapter } = connect(ctx)
    const { delivery } = await placed(ctx, adapter)
    const pushed: string[] = []
    const events: NormalizedEvent[] = []
    const push = async () => {
      const signed = harness.callback(delivery, account, { eventSeq: 1, sentAt: NOW })
      if (!signed) return pushed.push(`${delivery.state}:none`)
      assert.equal(signed.url, HOOK)
      const [event] = await adapter.verifyWebhook!({
        headers: signed.headers,
        body: signed.body,
        query: {},
      })
      events.push(event)
      pushed.push(`${delivery.state}:${event.carrierStatus}:${event.status}`)
    }
    await push()
    for (const state of [
      'accepted',
      'waiting',
      'accepted',
      'arrived',
      'picked_up',
      'delivering',
      'delivered',
    ] as const) {
      move(delivery, state)
      await push()
    }
    assert.deepEqual(pushed, [
      'waiting:1:dispatching',
      'accepted:20:accepted',
      'waiting:none',
      'accepted:20:accepted',
      'arrived:80:arrived_at_store',
      'picked_up:2:picked_up',
      'delivering:none',
      'delivered:3:delivered',
    ])
    assert.isTrue(events.every((event) => event.carrierOrderId === '2102150000123456781'))
  })

  test('tampered, forged and foreign callbacks are refused; a duplicate keeps its event id', async ({
    assert,
  }) => {
    const { ctx, account } = fakeMarket()
    const { adapter } = connect(ctx)
    const { delivery } = await placed(ctx, adapter)
    move(delivery, 'accepted')
    const verify = (body: string) => adapter.verifyWebhook!({ headers: {}, body, query: {} })
    const signed = harness.callback(delivery, account, { eventSeq: 2, sentAt: NOW })!
    const [first] = await verify(signed.body)
    const [again] = await verify(signed.body)
    assert.equal(first.eventId, again.eventId)
    await assert.rejects(
      () => verify(signed.body.replace('order_status\\":20', 'order_status\\":3')),
      /signature does not match/
    )
    const forged = harness.callback(delivery, account, {
      eventSeq: 2,
      forgeSignature: true,
      sentAt: NOW,
    })!
    await assert.rejects(() => verify(forged.body), /signature does not match/)
    const stranger = { ...account, accountKey: 'other-app' }
    const foreign = harness.callback(delivery, stranger, { eventSeq: 2, sentAt: NOW })!
    await assert.rejects(() => verify(foreign.body), /another app_id/)
  })
})
