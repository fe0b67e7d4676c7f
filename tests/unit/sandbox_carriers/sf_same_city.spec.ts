/**
 * The SF Same-city emulator against the real plugin, in process: the plugin's adapter
 * talks to the emulator through a stubbed fetch, over a small fake EmulatorContext,
 * so both sides of the wire format (paths, JSON, `?sign=`, units) are checked together.
 */
import { test } from '@japa/runner'
import type { EmulatorContext } from '#sandbox/emulator'
import emulator, { SF_SANDBOX_ACCOUNT } from '#sandbox/carriers/sf_same_city'
import { createTestContext, StubHttp } from '#sdk/testing/stub_http'
import { NOW } from '#tests/unit/sandbox_carriers/support/fake_market'
import { riderOnAcceptance } from '#tests/unit/sandbox_carriers/support/riders'
import {
  asWebhook as withQuery,
  emulatorHarness,
  testOrder,
} from '#tests/unit/sandbox_carriers/support/emulator_harness'
import plugin from '../../../plugins/sf_same_city/src/index.js'
import type { SfConfig } from '../../../plugins/sf_same_city/src/mapper.js'

const CALLBACK_URL = 'http://127.0.0.1:9/api/v1/webhooks/acct-sf'
const ORDER = testOrder(2001)

const move = riderOnAcceptance({
  id: 'R1',
  name: '张三',
  phone: '13700003333',
  lat: 31.188,
  lng: 121.44,
})

const harness = emulatorHarness({
  emulator,
  plugin,
  callbackUrl: CALLBACK_URL,
  price: { feeFen: 1600, distanceM: 1203, pickupEtaS: 300, dropoffEtaS: 1800 },
  move,
})
const { fakeMarket } = harness

function sandboxConfig(overrides: Partial<SfConfig> = {}): SfConfig {
  return {
    baseUrl: 'http://sandbox.test/sf_same_city',
    devId: SF_SANDBOX_ACCOUNT.accountKey,
    devKey: SF_SANDBOX_ACCOUNT.credentials.dev_key,
    shopId: SF_SANDBOX_ACCOUNT.credentials.shop_id,
    ...overrides,
  }
}

const adapterFor = (ctx: EmulatorContext, config = sandboxConfig()) => harness.connect(ctx, config)

const created = (market = fakeMarket()) =>
  harness.created(market, sandboxConfig(), ORDER, 'idem-2001-1')

/** SF signs its callbacks in the URL (`?sign=`), so the hub passes the query along. */
const asWebhook = (callback: { url: string; headers: Record<string, string>; body: string }) =>
  withQuery(callback, Object.fromEntries(new URL(callback.url).searchParams))

test.group('Sandbox carriers | sf_same_city', () => {
  test('a correctly signed precreateorder is quoted in fen, from the shop to the customer', async ({
    assert,
  }) => {
    const market = fakeMarket()
    const { adapter, answers } = adapterFor(market.ctx)
    const quote = await adapter.quote(ORDER)
    assert.equal(quote.feeFen, 1600)
    assert.equal(quote.distanceM, 1203)
    assert.equal(quote.pickupEtaS, 300)
    assert.equal(quote.dropoffEtaS, 1800)
    assert.deepEqual(market.quotes[0].from, { lat: ORDER.store.lat, lng: ORDER.store.lng })
    assert.deepEqual(market.quotes[0].to, { lat: ORDER.recipient.lat, lng: ORDER.recipient.lng })
    assert.equal(market.quotes[0].weightG, 1500)
    const answer = JSON.parse(answers[0].body)
    assert.equal(answer.error_code, 0)
    assert.equal(answer.result.total_price, 1600)
    assert.equal(answer.result.expect_time - answer.result.push_time, 1800)
  })

  test('a bad signature is refused with error_code 1002, which the plugin maps to AuthError', async ({
    assert,
  }) => {
    const market = fakeMarket()
    const { adapter, answers } = adapterFor(
      market.ctx,
      sandboxConfig({ devKey: 'not-the-dev-key' })
    )
    const error = await adapter.quote(ORDER).catch((caught) => caught)
    assert.equal(error.name, 'AuthError')
    assert.equal(error.code, '1002')
    assert.equal(JSON.parse(answers[0].body).error_code, 1002)
    assert.lengthOf(market.quotes, 0)

    const unknown = adapterFor(market.ctx, sandboxConfig({ devId: '1690009999' }))
    assert.deepInclude(await unknown.adapter.quote(ORDER).catch((caught) => caught), {
      code: '1003',
    })
  })

  test('the signature is base64 of 32 hex characters: 44 characters, only "=" to encode', async ({
    assert,
  }) => {
    const { sfSign } = await import('#sandbox/carriers/sf_same_city')
    const { sign } = await import('../../../plugins/sf_same_city/src/mapper.js')
    for (let pushTime = 0; pushTime < 200; pushTime++) {
      const body = JSON.stringify({ dev_id: 1, order_id: 'x', push_time: pushTime })
      const expected = sfSign(body, SF_SANDBOX_ACCOUNT.accountKey, 'key')
      // Hex digits never make base64's "+" or "/", so only the padding needs URL-encoding.
      assert.match(expected, /^[0-9A-Za-z]{43}=$/)
      assert.equal(sign(body, SF_SANDBOX_ACCOUNT.accountKey, 'key'), expected)
    }
  })

  test('createorder starts a delivery once per shop_order_id and applies the gratuity', async ({
    assert,
  }) => {
    const market = fakeMarket()
    const { adapter } = adapterFor(market.ctx)
    const quote = await adapter.quote(ORDER)
    const first = await adapter.create({ ...ORDER, tip_fen: 300 }, quote, 'idem-2001-1')
    const again = await adapter.create({ ...ORDER, tip_fen: 300 }, quote, 'idem-2001-1')
    assert.deepEqual(again, first)
    assert.equal(first.feeFen, 1600)
    assert.lengthOf(market.deliveries, 1)
    assert.equal(market.deliveries[0].clientOrderId, 'idem-2001-1')
    assert.equal(market.deliveries[0].tipFen, 300, 'gratuity_fee applied once')
    const other = await adapter.create(ORDER, quote, 'idem-2001-2')
    assert.notEqual(other.carrierOrderId, first.carrierOrderId)
  })

  test('no capacity and out of range come back as SF codes 3002 and 3006', async ({ assert }) => {
    const busy = adapterFor(fakeMarket({ quoteFails: 'no_capacity' }).ctx).adapter
    const far = adapterFor(fakeMarket({ quoteFails: 'out_of_range' }).ctx).adapter
    const capacity = await busy.quote(ORDER).catch((caught) => caught)
    const range = await far.quote(ORDER).catch((caught) => caught)
    assert.equal(capacity.name, 'CapacityError')
    assert.equal(capacity.code, '3002')
    assert.equal(range.name, 'RejectedError')
    assert.equal(range.code, '3006')
  })

  test('pre-cancel and cancel report the deduction in fen; a delivered order cannot be cancelled', async ({
    assert,
  }) => {
    const { adapter, ref, delivery } = await created()
    assert.deepEqual(await adapter.preCancel(ref), { feeFen: 0 })
    move(delivery, 'accepted')
    assert.deepEqual(await adapter.preCancel(ref), { feeFen: 200 })
    assert.deepEqual(await adapter.cancel(ref, 'customer_cancelled'), { feeFen: 200 })
    assert.equal(delivery.state, 'cancelled')
    assert.equal(delivery.cancellation?.reason, 'customer_cancelled')

    const other = await created()
    move(other.delivery, 'delivered')
    const refused = await other.adapter.cancel(other.ref, 'late').catch((caught) => caught)
    assert.equal(refused.name, 'RejectedError')
    assert.equal(refused.code, '2004')
    const unknown = await other.adapter
      .preCancel({ orderId: 'x', carrierOrderId: 'nope' })
      .catch((e) => e)
    assert.equal(unknown.name, 'InvalidRequestError')
  })

  test('tips add fen to the delivery; track and rider position follow the rider', async ({
    assert,
  }) => {
    const { adapter, ref, delivery } = await created()
    await adapter.addTip(ref, 300)
    assert.equal(delivery.tipFen, 300)
    const none = await adapter.riderLocation(ref).catch((caught) => caught)
    assert.equal(none.name, 'RejectedError', 'no rider yet')
    move(delivery, 'accepted')
    move(delivery, 'arrived')
    const [event] = await adapter.track(ref)
    assert.equal(event.carrierStatus, '12')
    assert.equal(event.status, 'arrived_at_store')
    assert.equal(event.rider?.name, '张三')
    const location = await adapter.riderLocation(ref)
    assert.deepEqual(location, { lat: 31.188, lng: 121.44, at: NOW.toISOString() })
  })

  test('callbacks are signed so the plugin verifies them; forged or tampered ones are refused', async ({
    assert,
  }) => {
    const { adapter, account, delivery } = await created()
    assert.isNull(harness.callback(delivery, account, { eventSeq: 1 }), 'no callback on creation')
    move(delivery, 'accepted')
    const callback = harness.callback(delivery, account, { eventSeq: 2 })!
    assert.isTrue(callback.url.startsWith(`${CALLBACK_URL}?sign=`))
    const [event] = await adapter.verifyWebhook(asWebhook(callback))
    assert.equal(event.carrierStatus, '10')
    assert.equal(event.status, 'accepted')
    assert.equal(event.carrierOrderId, delivery.carrierOrderId)
    assert.equal(event.eventId, `${delivery.carrierOrderId}:10:${NOW.getTime() / 1000}`)
    assert.deepEqual(event.rider, { name: '张三', phone: '13700003333', lat: 31.188, lng: 121.44 })

    const forged = harness.callback(delivery, account, { eventSeq: 2, forgeSignature: true })!
    assert.deepInclude(await adapter.verifyWebhook(asWebhook(forged)).catch((e) => e), {
      name: 'AuthError',
    })
    const tampered = {
      ...asWebhook(callback),
      body: callback.body.replace('"order_status":10', '"order_status":17'),
    }
    assert.deepInclude(await adapter.verifyWebhook(tampered).catch((e) => e), {
      code: 'bad_signature',
    })
  })

  test('callbacks follow the life cycle: 12, 15, 17, a withdrawal as 22, a cancellation as 2', async ({
    assert,
  }) => {
    const { adapter, account, delivery } = await created()
    const codes: (string | null)[] = []
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
      const callback = harness.callback(delivery, account, { eventSeq: codes.length })
      const events = callback ? await adapter.verifyWebhook(asWebhook(callback)) : []
      codes.push(events[0]?.carrierStatus ?? null)
    }
    assert.deepEqual(codes, ['10', '22', '10', '12', '15', null, '17'])

    const other = await created()
    await other.adapter.cancel(other.ref, 'customer_cancelled')
    const cancelled = harness.callback(other.delivery, other.account, { eventSeq: 2 })!
    const [event] = await other.adapter.verifyWebhook(asWebhook(cancelled))
    assert.equal(event.status, 'cancelled')
    assert.equal(event.note, 'customer_cancelled')
    assert.isNull(harness.callback(delivery, { ...account, callbackUrl: null }, { eventSeq: 9 }))
  })

  test('injected faults answer in SF format, which the plugin treats as retryable', async ({
    assert,
  }) => {
    const answer = emulator.errorResponse('unavailable')
    assert.equal(answer.status, 503)
    assert.equal(JSON.parse(answer.body).error_code, 1000)
    const http = new StubHttp(() => answer)
    const adapter = plugin.create(createTestContext({ config: sandboxConfig(), http, now: NOW }))
    assert.deepInclude(await adapter.quote!(ORDER).catch((e) => e), { name: 'RetryableError' })
  })
})
