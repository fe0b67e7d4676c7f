/**
 * The Meituan Peisong emulator against the real Meituan plugin, in process: the
 * plugin's adapter reaches the emulator through a stubbed fetch over a small fake
 * EmulatorContext, so both sides of the wire format (form fields, SHA-1 sign, ×1e6
 * coordinates, yuan, status codes) are checked together; callbacks are verified with
 * the plugin's own verifyWebhook.
 */
import { test } from '@japa/runner'
import { readFile } from 'node:fs/promises'
import type { EmulatorContext } from '#sandbox/emulator'
import emulator, { MEITUAN_SANDBOX_ACCOUNT } from '#sandbox/carriers/meituan'
import { meituanSignature } from '#sandbox/carriers/meituan/wire'
import type { CarrierMethods, NormalizedEvent } from '#sdk/contract'
import { NOW } from '#tests/unit/sandbox_carriers/support/fake_market'
import {
  FIRST_RIDER,
  reassignedRiders,
  SECOND_RIDER,
} from '#tests/unit/sandbox_carriers/support/riders'
import { emulatorHarness, testOrder } from '#tests/unit/sandbox_carriers/support/emulator_harness'
import plugin from '../../../plugins/meituan/src/index.js'
import type { MeituanConfig } from '../../../plugins/meituan/src/mapper.js'
import { deliveryIdFor } from '../../../plugins/meituan/src/units.js'

const LATER = new Date('2025-01-01T08:03:00.000Z')
const HOOK = 'http://127.0.0.1:9/api/v1/webhooks/acct-meituan'
const ORDER = testOrder(4001)

const move = reassignedRiders(FIRST_RIDER, SECOND_RIDER)

// Meituan calls back the URL registered for the appkey.
const harness = emulatorHarness({
  emulator,
  plugin,
  callbackUrl: HOOK,
  price: { feeFen: 1250, distanceM: 1120, pickupEtaS: 300, dropoffEtaS: 1500 },
  move,
  wallClock: true,
})
const { fakeMarket } = harness

const config = (overrides: Partial<MeituanConfig> = {}): MeituanConfig => ({
  baseUrl: 'http://sandbox.test/meituan',
  appKey: MEITUAN_SANDBOX_ACCOUNT.accountKey,
  appSecret: MEITUAN_SANDBOX_ACCOUNT.credentials.secret,
  shopId: MEITUAN_SANDBOX_ACCOUNT.credentials.shop_id,
  deliveryServiceCode: 4011,
  ...overrides,
})

const connect = (ctx: EmulatorContext, overrides: Partial<MeituanConfig> = {}) =>
  harness.connect(ctx, config(overrides))

/** A signed form, optionally with fields replaced after signing. */
function form(fields: Record<string, string>, after: Record<string, string> = {}) {
  const params = {
    ...fields,
    appkey: MEITUAN_SANDBOX_ACCOUNT.accountKey,
    timestamp: String(NOW.getTime() / 1000),
    version: '1.0',
  }
  const sign = meituanSignature(params, MEITUAN_SANDBOX_ACCOUNT.credentials.secret)
  return new URLSearchParams({ ...params, sign, ...after }).toString()
}
const code = (
  ctx: EmulatorContext,
  path: string,
  rawBody: string,
  headers: Record<string, string> = {}
) =>
  JSON.parse(
    (emulator.handle({ method: 'POST', path, query: {}, headers, rawBody }, ctx) as any).body
  ).code

async function placed(ctx: EmulatorContext, adapter: CarrierMethods, key = 'ord_4001:attempt-1') {
  const quote = await adapter.quote!(ORDER)
  const created = await adapter.create!(ORDER, quote, key)
  const mtPeisongId = created.carrierOrderId.split(':')[0]
  return { quote, created, delivery: ctx.findDelivery('meituan', mtPeisongId)! }
}

test.group('Sandbox carriers | meituan', () => {
  test('signing matches the test vectors the plugin is held to', async ({ assert }) => {
    const vectors = JSON.parse(
      await readFile(
        new URL('../../../plugins/meituan/fixtures/signatures.json', import.meta.url),
        'utf8'
      )
    )
    assert.isAbove(vectors.sign.length, 1)
    for (const vector of vectors.sign)
      assert.equal(meituanSignature(vector.params, vector.secret), vector.expected)
  })

  test('preview and create through the plugin: yuan, ×1e6 coordinates, delivery_id', async ({
    assert,
  }) => {
    const { ctx, deliveries } = fakeMarket()
    const { adapter, http } = connect(ctx)
    const { quote, created, delivery } = await placed(ctx, adapter)
    assert.deepInclude(quote, { feeFen: 1250, distanceM: 1120, quoteToken: '' })
    const deliveryId = String(deliveryIdFor('ord_4001:attempt-1'))
    assert.deepEqual(created, {
      carrierOrderId: `${delivery.carrierOrderId}:${deliveryId}`,
      feeFen: 1250,
    })
    assert.equal(delivery.clientOrderId, deliveryId)
    assert.deepEqual(delivery.to, { lat: 31.183467, lng: 121.443512 })
    assert.deepEqual(delivery.from, { lat: 31.190236, lng: 121.436525 })
    assert.equal(new URLSearchParams(http.requests[1].body).get('receiver_lat'), '31183467')
    assert.lengthOf(deliveries, 1)
  })

  test('the same delivery_id is the same delivery; another key is another one', async ({
    assert,
  }) => {
    const { ctx, deliveries } = fakeMarket()
    const { adapter } = connect(ctx)
    const first = await placed(ctx, adapter)
    const retried = await adapter.create!(ORDER, first.quote, 'ord_4001:attempt-1')
    assert.equal(retried.carrierOrderId, first.created.carrierOrderId)
    const other = await adapter.create!(ORDER, first.quote, 'ord_4001:attempt-2')
    assert.notEqual(other.carrierOrderId, first.created.carrierOrderId)
    assert.lengthOf(deliveries, 2)
  })

  test('no riders and out of range come back as Meituan codes the plugin types', async ({
    assert,
  }) => {
    for (const [reason, error, errorCode] of [
      ['no_capacity', 'CapacityError', '8'],
      ['out_of_range', 'RejectedError', '7'],
    ] as const) {
      const { adapter } = connect(fakeMarket({ quoteFails: reason }).ctx)
      const failure = (await adapter.quote!(ORDER).catch((caught) => caught)) as {
        name: string
        code: string
      }
      assert.deepEqual([failure.name, failure.code], [error, errorCode])
    }
  })

  test('a bad sign, an unknown appkey, a stale timestamp and a JSON body are refused', async ({
    assert,
  }) => {
    const { ctx } = fakeMarket()
    const query = { delivery_id: '1', mt_peisong_id: 'x' }
    assert.equal(code(ctx, '/order/status/query', form(query)), 6)
    assert.equal(code(ctx, '/order/status/query', form(query, { sign: 'f'.repeat(40) })), 3)
    assert.equal(code(ctx, '/api/order/status/query', form(query, { mt_peisong_id: 'y' })), 3)
    assert.equal(code(ctx, '/order/status/query', form(query, { appkey: 'nobody' })), 4)
    const stale = {
      ...query,
      appkey: MEITUAN_SANDBOX_ACCOUNT.accountKey,
      timestamp: '1735714800',
      version: '1.0',
    }
    const staleBody = new URLSearchParams({
      ...stale,
      sign: meituanSignature(stale, MEITUAN_SANDBOX_ACCOUNT.credentials.secret),
    })
    assert.equal(code(ctx, '/order/status/query', staleBody.toString()), 5)
    assert.equal(code(ctx, '/order/status/query', '{}', { 'content-type': 'application/json' }), 2)

    const { adapter } = connect(ctx, { appKey: 'nobody' })
    const failure = (await adapter.quote!(ORDER).catch((caught) => caught)) as {
      name: string
      code: string
    }
    assert.deepEqual([failure.name, failure.code], ['AuthError', '4'])
  })

  test('tip, status, rider location and cancel in Meituan units', async ({ assert }) => {
    const { ctx } = fakeMarket()
    const { adapter } = connect(ctx)
    const { created, delivery } = await placed(ctx, adapter)
    const ref = { orderId: ORDER.id, carrierOrderId: created.carrierOrderId }
    await adapter.addTip!(ref, 300)
    assert.equal(delivery.tipFen, 300)
    // The test context's nonce is fixed, so this repeats serial_number: a no-op replay.
    await adapter.addTip!(ref, 300)
    assert.equal(delivery.tipFen, 300)
    await assert.rejects(() => adapter.addTip!(ref, 250), /whole yuan/)
    move(delivery, 'accepted')
    const [event] = await adapter.track!(ref)
    assert.deepInclude(event, {
      carrierStatus: '20',
      status: 'accepted',
      rider: { name: '张三', phone: '13700003333' },
    })
    assert.deepInclude(await adapter.riderLocation!(ref), { lat: 31.1899, lng: 121.437 })
    assert.deepEqual(await adapter.cancel!(ref, 'customer_cancelled'), {})
    assert.equal(delivery.state, 'cancelled')
    const [after] = await adapter.track!(ref)
    assert.deepInclude(after, { carrierStatus: '99', status: 'cancelled' })
    const [mtPeisongId, deliveryId] = created.carrierOrderId.split(':')
    const late = form({
      delivery_id: deliveryId,
      mt_peisong_id: mtPeisongId,
      tip_amount: '1',
      serial_number: 'late-1',
    })
    assert.equal(code(ctx, '/order/addTip', late), 10)
  })

  test('callbacks verify with the plugin, skip arrival, never go back, repeat 20 on reassignment', async ({
    assert,
  }) => {
    const { ctx, account } = fakeMarket()
    const { adapter } = connect(ctx)
    const { created, delivery } = await placed(ctx, adapter)
    const pushed: string[] = []
    const events: NormalizedEvent[] = []
    const push = async (sentAt: Date) => {
      const signed = harness.callback(delivery, account, { eventSeq: 1, sentAt })
      if (!signed) return pushed.push(`${delivery.state}:none`)
      assert.equal(signed.url, HOOK)
      const [event] = await adapter.verifyWebhook!({
        headers: signed.headers,
        body: signed.body,
        query: {},
      })
      events.push(event)
      pushed.push(`${delivery.state}:${event.carrierStatus}`)
    }
    await push(NOW)
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
      await push(state === 'accepted' && events.length > 1 ? LATER : NOW)
    }
    assert.deepEqual(pushed, [
      'waiting:0',
      'accepted:20',
      'waiting:none',
      'accepted:20',
      'arrived:none',
      'picked_up:30',
      'delivering:none',
      'delivered:50',
    ])
    assert.equal(events[0].carrierOrderId, created.carrierOrderId)
    assert.deepEqual(events[2].rider, { name: '李四', phone: '13700004444' })
    assert.notEqual(events[1].eventId, events[2].eventId)
  })

  test('tampered, forged and other-appkey callbacks are refused; a duplicate keeps its event id', async ({
    assert,
  }) => {
    const { ctx, account } = fakeMarket()
    const { adapter } = connect(ctx)
    const { delivery } = await placed(ctx, adapter)
    move(delivery, 'accepted')
    move(delivery, 'picked_up')
    const verify = (body: string) => adapter.verifyWebhook!({ headers: {}, body, query: {} })
    const signed = harness.callback(delivery, account, { eventSeq: 3, sentAt: NOW })!
    const [first] = await verify(signed.body)
    const [again] = await verify(signed.body)
    assert.equal(first.eventId, again.eventId)
    await assert.rejects(
      () => verify(signed.body.replace('status=30', 'status=50')),
      /signature does not match/
    )
    const forged = harness.callback(delivery, account, {
      eventSeq: 3,
      forgeSignature: true,
      sentAt: NOW,
    })!
    await assert.rejects(() => verify(forged.body), /signature does not match/)
    const stranger = { ...account, accountKey: 'other-appkey' }
    const foreign = harness.callback(delivery, stranger, { eventSeq: 3, sentAt: NOW })!
    await assert.rejects(() => verify(foreign.body), /another appkey/)
  })
})
