/**
 * The UU Paotui emulator against the real plugin, in process: the plugin's adapter
 * talks to the emulator through a stubbed fetch, over a small fake EmulatorContext,
 * so both sides of the wire format (flat form, signature, yuan, BD-09) are checked.
 */
import { test } from '@japa/runner'
import type { EmulatorContext, SandboxResponse } from '#sandbox/emulator'
import emulator, { UU_SANDBOX_ACCOUNT, uuSign } from '#sandbox/carriers/uu'
import { createTestContext, StubHttp } from '#sdk/testing/stub_http'
import { NOW } from '#tests/unit/sandbox_carriers/support/fake_market'
import { riderOnAcceptance } from '#tests/unit/sandbox_carriers/support/riders'
import {
  asWebhook,
  emulatorHarness,
  testOrder,
} from '#tests/unit/sandbox_carriers/support/emulator_harness'
import plugin from '../../../plugins/uu/src/index.js'
import type { UuConfig } from '../../../plugins/uu/src/mapper.js'

const CALLBACK_URL = 'http://127.0.0.1:9/api/v1/webhooks/acct-uu'
const ORDER_CALLBACK_URL = 'http://127.0.0.1:9/api/v1/webhooks/acct-uu?via=order'
const ORDER = testOrder(2001)

const move = riderOnAcceptance({
  id: 'R1',
  name: '王跑跑',
  phone: '13500005555',
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

function sandboxConfig(overrides: Partial<UuConfig> = {}): UuConfig {
  return {
    baseUrl: 'http://sandbox.test/uu',
    appId: UU_SANDBOX_ACCOUNT.accountKey,
    appKey: UU_SANDBOX_ACCOUNT.credentials.app_key,
    openId: UU_SANDBOX_ACCOUNT.credentials.openid,
    callbackUrl: ORDER_CALLBACK_URL,
    ...overrides,
  }
}

const adapterFor = (ctx: EmulatorContext, config = sandboxConfig()) => harness.connect(ctx, config)

const created = (market = fakeMarket()) =>
  harness.created(market, sandboxConfig(), ORDER, 'idem-2001-1')

const answerOf = (answer: SandboxResponse) => JSON.parse(answer.body)

test.group('Sandbox carriers | uu', () => {
  test('a correctly signed getorderprice is quoted in yuan, its BD-09 turned back into GCJ-02', async ({
    assert,
  }) => {
    const market = fakeMarket()
    const { adapter, answers } = adapterFor(market.ctx)
    const quote = await adapter.quote(ORDER)
    assert.equal(quote.feeFen, 1600)
    assert.equal(quote.quoteToken, 'Q1:1600')
    assert.equal(quote.distanceM, 1203)
    const [input] = market.quotes
    assert.closeTo(input.from.lat, ORDER.store.lat, 1e-5)
    assert.closeTo(input.from.lng, ORDER.store.lng, 1e-5)
    assert.closeTo(input.to.lat, ORDER.recipient.lat, 1e-5)
    assert.closeTo(input.to.lng, ORDER.recipient.lng, 1e-5)
    assert.equal(input.orderKey, ORDER.id)
    const answer = answerOf(answers[0])
    assert.deepInclude(answer, { return_code: 'ok', total_money: '16.00', need_paymoney: '16.00' })
    assert.equal(
      answer.sign,
      uuSign(answer, UU_SANDBOX_ACCOUNT.credentials.app_key),
      'answers are signed'
    )
  })

  test('bad signature, unknown appid and a foreign openid are refused with UU codes', async ({
    assert,
  }) => {
    const market = fakeMarket()
    const badKey = adapterFor(market.ctx, sandboxConfig({ appKey: 'not-the-app-key' }))
    assert.deepInclude(await badKey.adapter.quote(ORDER).catch((e) => e), {
      name: 'AuthError',
      code: '-104',
    })
    assert.equal(answerOf(badKey.answers[0]).return_code, '-104')
    const appId = adapterFor(market.ctx, sandboxConfig({ appId: 'someone-else' }))
    assert.deepInclude(await appId.adapter.quote(ORDER).catch((e) => e), { code: '-103' })
    const openId = adapterFor(market.ctx, sandboxConfig({ openId: 'someone-else' }))
    assert.deepInclude(await openId.adapter.quote(ORDER).catch((e) => e), { code: '-105' })
    assert.lengthOf(market.quotes, 0)
  })

  test('addorder places the order once per price_token with its callback_url; prices must match', async ({
    assert,
  }) => {
    const market = fakeMarket()
    const { adapter } = adapterFor(market.ctx)
    const quote = await adapter.quote(ORDER)
    const first = await adapter.create(ORDER, quote, 'idem-1')
    const again = await adapter.create(ORDER, quote, 'idem-2')
    assert.deepEqual(again, first)
    assert.lengthOf(market.deliveries, 1)
    assert.deepInclude(market.deliveries[0].extra, {
      originId: ORDER.id,
      callbackUrl: ORDER_CALLBACK_URL,
    })
    const cheaper = { ...quote, quoteToken: 'Q1:1500' }
    const other = fakeMarket()
    const fresh = adapterFor(other.ctx)
    await fresh.adapter.quote(ORDER)
    assert.deepInclude(await fresh.adapter.create(ORDER, cheaper, 'k').catch((e) => e), {
      code: '-2006',
    })
    assert.deepInclude(
      await fresh.adapter.create(ORDER, { ...quote, feeFen: 1500 }, 'k').catch((e) => e),
      { code: '-2007' }
    )
    const expired = await fresh.adapter
      .create(ORDER, { ...quote, quoteToken: 'Q9:1600' }, 'k')
      .catch((e) => e)
    assert.deepInclude(expired, { name: 'InvalidRequestError', code: '-2001' })
    assert.lengthOf(other.deliveries, 0)
  })

  test('no capacity and out of range come back as -1007 and -1003', async ({ assert }) => {
    const capacity = await adapterFor(fakeMarket({ quoteFails: 'no_capacity' }).ctx)
      .adapter.quote(ORDER)
      .catch((e) => e)
    const range = await adapterFor(fakeMarket({ quoteFails: 'out_of_range' }).ctx)
      .adapter.quote(ORDER)
      .catch((e) => e)
    assert.deepInclude(capacity, { name: 'CapacityError', code: '-1007' })
    assert.deepInclude(range, { name: 'RejectedError', code: '-1003' })
  })

  test('the penalty is read, then the order cancelled; a delivered order cannot be', async ({
    assert,
  }) => {
    const { adapter, ref, delivery, http } = await created()
    move(delivery, 'accepted')
    assert.deepEqual(await adapter.preCancel(ref), { feeFen: 200 })
    const before = http.requests.length
    assert.deepEqual(await adapter.cancel(ref, 'customer_cancelled'), { feeFen: 200 })
    assert.deepEqual(
      http.requests.slice(before).map((request) => new URL(request.url).pathname),
      ['/uu/v2_0/gethomeservicefee.ashx', '/uu/v2_0/cancelorder.ashx']
    )
    assert.equal(delivery.state, 'cancelled')
    assert.equal(delivery.cancellation?.reason, 'customer_cancelled')

    const other = await created()
    move(other.delivery, 'delivered')
    assert.deepInclude(await other.adapter.cancel(other.ref, 'late').catch((e) => e), {
      name: 'RejectedError',
      code: '-4003',
    })
    const unknown = await other.adapter
      .preCancel({ orderId: 'x', carrierOrderId: 'nope' })
      .catch((e) => e)
    assert.deepInclude(unknown, { name: 'InvalidRequestError', code: '-4002' })
  })

  test('payonlinefee adds the tip in yuan; track and position come from the order detail', async ({
    assert,
  }) => {
    const { adapter, ref, delivery } = await created()
    await adapter.addTip(ref, 350)
    assert.equal(delivery.tipFen, 350)
    const none = await adapter.riderLocation(ref).catch((e) => e)
    assert.deepInclude(none, { name: 'ProtocolError', code: 'no_position' })
    move(delivery, 'accepted')
    move(delivery, 'picked_up')
    const [event] = await adapter.track(ref)
    assert.deepInclude(event, { carrierStatus: '5', status: 'picked_up', note: '已取件' })
    assert.closeTo(event.rider!.lat!, 31.188, 1e-5)
    const location = await adapter.riderLocation(ref)
    assert.closeTo(location.lat, 31.188, 1e-5)
    assert.closeTo(location.lng, 121.44, 1e-5)
    assert.equal(location.at, NOW.toISOString())
  })

  test('callbacks go to the order callback_url, signed so the plugin verifies them', async ({
    assert,
  }) => {
    const { adapter, account, delivery } = await created()
    move(delivery, 'accepted')
    const callback = harness.callback(delivery, account, { eventSeq: 2 })!
    assert.equal(callback.url, ORDER_CALLBACK_URL)
    const [event] = await adapter.verifyWebhook(asWebhook(callback))
    assert.deepInclude(event, {
      carrierStatus: '3',
      status: 'accepted',
      carrierOrderId: delivery.carrierOrderId,
      eventId: `${delivery.carrierOrderId}:3:${NOW.getTime()}`,
    })
    assert.deepEqual(event.rider, { name: '王跑跑', phone: '13500005555' })

    const forged = harness.callback(delivery, account, { eventSeq: 2, forgeSignature: true })!
    assert.deepInclude(await adapter.verifyWebhook(asWebhook(forged)).catch((e) => e), {
      name: 'AuthError',
    })
    const tampered = callback.body.replace('"state":"3"', '"state":"10"')
    assert.notEqual(tampered, callback.body)
    assert.deepInclude(
      await adapter.verifyWebhook({ ...asWebhook(callback), body: tampered }).catch((e) => e),
      { code: 'bad_signature' }
    )
  })

  test('callbacks follow every UU state, and a cancellation carries its reason', async ({
    assert,
  }) => {
    const { adapter, account, delivery } = await created()
    const states: string[] = []
    for (const state of [
      'waiting',
      'accepted',
      'arrived',
      'picked_up',
      'delivering',
      'delivered',
    ] as const) {
      if (state !== 'waiting') move(delivery, state)
      const callback = harness.callback(delivery, account, { eventSeq: states.length })!
      const [event] = await adapter.verifyWebhook(asWebhook(callback))
      states.push(`${event.carrierStatus}:${event.status}`)
    }
    assert.deepEqual(states, [
      '1:dispatching',
      '3:accepted',
      '4:arrived_at_store',
      '5:picked_up',
      '6:delivering',
      '10:delivered',
    ])
    const other = await created()
    await other.adapter.cancel(other.ref, 'customer_cancelled')
    const cancelled = harness.callback(other.delivery, other.account, { eventSeq: 2 })!
    const [event] = await other.adapter.verifyWebhook(asWebhook(cancelled))
    assert.deepInclude(event, {
      carrierStatus: '-1',
      status: 'cancelled',
      note: 'customer_cancelled',
    })
  })

  test('injected faults answer in UU format, which the plugin treats as retryable', async ({
    assert,
  }) => {
    const answer = emulator.errorResponse('unavailable')
    assert.equal(answer.status, 503)
    assert.equal(answerOf(answer).return_code, '-10001')
    const http = new StubHttp(() => answer)
    const adapter = plugin.create(createTestContext({ config: sandboxConfig(), http, now: NOW }))
    assert.deepInclude(await adapter.quote!(ORDER).catch((e) => e), { name: 'RetryableError' })
  })
})
