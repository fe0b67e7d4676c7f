/**
 * The Shansong emulator against the real plugin, in process: the plugin's adapter
 * talks to the emulator through a stubbed fetch, over a small fake EmulatorContext,
 * so both sides of the wire format (form envelope, signature, fen, BD-09) are checked.
 */
import { test } from '@japa/runner'
import type { EmulatorContext, SandboxResponse } from '#sandbox/emulator'
import emulator, { SHANSONG_SANDBOX_ACCOUNT } from '#sandbox/carriers/shansong'
import { createTestContext, StubHttp } from '#sdk/testing/stub_http'
import { NOW } from '#tests/unit/sandbox_carriers/support/fake_market'
import { riderOnAcceptance } from '#tests/unit/sandbox_carriers/support/riders'
import {
  asWebhook,
  emulatorHarness,
  testOrder,
} from '#tests/unit/sandbox_carriers/support/emulator_harness'
import plugin from '../../../plugins/shansong/src/index.js'
import type { ShansongConfig } from '../../../plugins/shansong/src/mapper.js'

const CALLBACK_URL = 'http://127.0.0.1:9/api/v1/webhooks/acct-shansong'
const ORDER = testOrder(2001)

const move = riderOnAcceptance({
  id: 'R1',
  name: '李闪',
  phone: '13600004444',
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

function sandboxConfig(overrides: Partial<ShansongConfig> = {}): ShansongConfig {
  return {
    baseUrl: 'http://sandbox.test/shansong',
    clientId: SHANSONG_SANDBOX_ACCOUNT.accountKey,
    shopId: SHANSONG_SANDBOX_ACCOUNT.credentials.shop_id,
    appSecret: SHANSONG_SANDBOX_ACCOUNT.credentials.app_secret,
    ...overrides,
  }
}

const adapterFor = (ctx: EmulatorContext, config = sandboxConfig()) => harness.connect(ctx, config)

const created = (market = fakeMarket()) =>
  harness.created(market, sandboxConfig(), ORDER, 'idem-2001-1')

const envelope = (answer: SandboxResponse) => JSON.parse(answer.body)

test.group('Sandbox carriers | shansong', () => {
  test('a correctly signed orderCalculate is quoted in fen, its BD-09 turned back into GCJ-02', async ({
    assert,
  }) => {
    const market = fakeMarket()
    const { adapter, answers } = adapterFor(market.ctx)
    const quote = await adapter.quote(ORDER)
    assert.equal(quote.feeFen, 1600)
    assert.equal(quote.quoteToken, 'Q1')
    assert.equal(quote.pickupEtaS, 300)
    const [input] = market.quotes
    assert.closeTo(input.from.lat, ORDER.store.lat, 1e-5)
    assert.closeTo(input.from.lng, ORDER.store.lng, 1e-5)
    assert.closeTo(input.to.lat, ORDER.recipient.lat, 1e-5)
    assert.closeTo(input.to.lng, ORDER.recipient.lng, 1e-5)
    assert.equal(input.weightG, 2000, '1.5 kg is billed as 2 kg')
    assert.equal(input.orderKey, ORDER.id)
    assert.deepInclude(envelope(answers[0]), { status: 200, msg: 'success' })
    assert.equal(envelope(answers[0]).data.orderNumber, 'Q1')
  })

  test('a bad signature is refused with status 401, a foreign shopId with 403', async ({
    assert,
  }) => {
    const market = fakeMarket()
    const badSecret = adapterFor(market.ctx, sandboxConfig({ appSecret: 'not-the-app-secret' }))
    const refused = await badSecret.adapter.quote(ORDER).catch((caught) => caught)
    assert.equal(refused.name, 'AuthError')
    assert.equal(refused.code, '401')
    assert.equal(envelope(badSecret.answers[0]).status, 401)
    const otherShop = adapterFor(market.ctx, sandboxConfig({ shopId: '20000000000001' }))
    assert.deepInclude(await otherShop.adapter.quote(ORDER).catch((e) => e), { code: '403' })
    assert.lengthOf(market.quotes, 0)
  })

  test('orderPlace places the quoted order once per issOrderNo; an unknown number has expired', async ({
    assert,
  }) => {
    const market = fakeMarket()
    const { adapter } = adapterFor(market.ctx)
    const quote = await adapter.quote(ORDER)
    const first = await adapter.create(ORDER, quote, 'idem-1')
    const again = await adapter.create(ORDER, quote, 'idem-2')
    assert.deepEqual(first, { carrierOrderId: 'Q1', feeFen: 1600 })
    assert.deepEqual(again, first)
    assert.lengthOf(market.deliveries, 1)
    assert.equal(market.deliveries[0].extra.thirdOrderNo, ORDER.id)
    const expired = await adapter
      .create(ORDER, { ...quote, quoteToken: 'Q404' }, 'idem-3')
      .catch((e) => e)
    assert.equal(expired.name, 'InvalidRequestError')
    assert.equal(expired.code, '30004')
  })

  test('no capacity and out of range come back as status 30002 and 30001', async ({ assert }) => {
    const capacity = await adapterFor(fakeMarket({ quoteFails: 'no_capacity' }).ctx)
      .adapter.quote(ORDER)
      .catch((e) => e)
    const range = await adapterFor(fakeMarket({ quoteFails: 'out_of_range' }).ctx)
      .adapter.quote(ORDER)
      .catch((e) => e)
    assert.deepInclude(capacity, { name: 'CapacityError', code: '30002' })
    assert.deepInclude(range, { name: 'RejectedError', code: '30001' })
  })

  test('preAbortOrder and abortOrder report the deduction; a finished order cannot be aborted', async ({
    assert,
  }) => {
    const { adapter, ref, delivery } = await created()
    assert.deepEqual(await adapter.preCancel(ref), { feeFen: 0 })
    move(delivery, 'accepted')
    assert.deepEqual(await adapter.preCancel(ref), { feeFen: 200 })
    assert.deepEqual(await adapter.cancel(ref, 'customer_cancelled'), { feeFen: 200 })
    assert.equal(delivery.state, 'cancelled')

    const other = await created()
    move(other.delivery, 'delivered')
    assert.deepInclude(await other.adapter.cancel(other.ref, 'late').catch((e) => e), {
      name: 'RejectedError',
      code: '30003',
    })
    const unknown = await other.adapter
      .preCancel({ orderId: 'x', carrierOrderId: 'nope' })
      .catch((e) => e)
    assert.deepInclude(unknown, { name: 'InvalidRequestError', code: '404' })
  })

  test('addition raises the fee in whole yuan; other amounts are refused on both sides', async ({
    assert,
  }) => {
    const { adapter, ref, delivery, http, ctx } = await created()
    await adapter.addTip(ref, 300)
    assert.equal(delivery.tipFen, 300)
    const sent = http.requests.length
    const local = await adapter.addTip(ref, 150).catch((e) => e)
    assert.deepInclude(local, { name: 'InvalidRequestError', code: 'addition_amount' })
    assert.equal(http.requests.length, sent, 'refused before sending')

    // A client that does send 150 fen gets Shansong's parameter error.
    const { formBody } = await import('../../../plugins/shansong/src/mapper.js')
    const rawBody = formBody(
      sandboxConfig(),
      JSON.stringify({ issOrderNo: ref.carrierOrderId, additionAmount: 150 }),
      NOW.getTime()
    )
    const answer = emulator.handle(
      { method: 'POST', path: '/openapi/merchants/v5/addition', query: {}, headers: {}, rawBody },
      ctx
    ) as SandboxResponse
    assert.equal(envelope(answer).status, 400)
    assert.equal(delivery.tipFen, 300)
  })

  test('orderInfo lists the status changes; courierInfo gives the position in BD-09', async ({
    assert,
  }) => {
    const { adapter, ref, delivery } = await created()
    move(delivery, 'accepted', new Date('2025-01-01T08:02:10Z'))
    move(delivery, 'arrived', new Date('2025-01-01T08:06:00Z'))
    move(delivery, 'picked_up', new Date('2025-01-01T08:10:00Z'))
    const events = await adapter.track(ref)
    assert.deepEqual(
      events.map((event) => [event.carrierStatus, event.status, event.occurredAt]),
      [
        ['20', 'dispatching', NOW.toISOString()],
        ['30', 'accepted', '2025-01-01T08:02:10.000Z'],
        ['40', 'picked_up', '2025-01-01T08:10:00.000Z'],
      ]
    )
    assert.deepEqual(events[2].rider, {
      name: '李闪',
      phone: '13600004444',
      lat: 31.188,
      lng: 121.44,
    })
    const location = await adapter.riderLocation(ref)
    assert.closeTo(location.lat, 31.188, 1e-5)
    assert.closeTo(location.lng, 121.44, 1e-5)
    assert.equal(location.at, NOW.toISOString())
  })

  test('callbacks are signed so the plugin verifies them; forged or tampered ones are refused', async ({
    assert,
  }) => {
    const { adapter, account, delivery } = await created()
    const options = { eventSeq: 1, sentAt: NOW }
    const placed = harness.callback(delivery, account, options)!
    assert.equal(placed.url, CALLBACK_URL)
    const [dispatching] = await adapter.verifyWebhook(asWebhook(placed))
    assert.deepInclude(dispatching, {
      carrierStatus: '20',
      status: 'dispatching',
      carrierOrderId: 'Q1',
    })
    assert.equal(dispatching.eventId, 'Q1:20:2025-01-01 16:00:00')

    move(delivery, 'accepted')
    const accepted = harness.callback(delivery, account, { ...options, eventSeq: 2 })!
    const [event] = await adapter.verifyWebhook(asWebhook(accepted))
    assert.equal(event.status, 'accepted')
    assert.deepEqual(event.rider, { name: '李闪', phone: '13600004444', lat: 31.188, lng: 121.44 })

    const forged = harness.callback(delivery, account, { ...options, forgeSignature: true })!
    assert.deepInclude(await adapter.verifyWebhook(asWebhook(forged)).catch((e) => e), {
      name: 'AuthError',
    })
    const tampered = accepted.body.replace('%22status%22%3A30', '%22status%22%3A50')
    assert.notEqual(tampered, accepted.body)
    assert.deepInclude(
      await adapter.verifyWebhook({ ...asWebhook(accepted), body: tampered }).catch((e) => e),
      { code: 'bad_signature' }
    )
  })

  test('callbacks follow the life cycle; arrival and "on the way" have no code of their own', async ({
    assert,
  }) => {
    const { adapter, account, delivery } = await created()
    const codes: (string | null)[] = []
    for (const state of ['accepted', 'arrived', 'picked_up', 'delivering', 'delivered'] as const) {
      move(delivery, state)
      const callback = harness.callback(delivery, account, { eventSeq: 1 })
      const events = callback ? await adapter.verifyWebhook(asWebhook(callback)) : []
      codes.push(events[0]?.carrierStatus ?? null)
    }
    assert.deepEqual(codes, ['30', null, '40', null, '50'])
    assert.isNull(harness.callback(delivery, { ...account, callbackUrl: null }, { eventSeq: 9 }))

    const other = await created()
    await other.adapter.cancel(other.ref, 'customer_cancelled')
    const cancelled = harness.callback(other.delivery, other.account, { eventSeq: 2 })!
    const [event] = await other.adapter.verifyWebhook(asWebhook(cancelled))
    assert.equal(event.status, 'cancelled')
    assert.equal(event.note, '商家取消', 'abortOrder takes no reason, so Shansong gives its own')
  })

  test('injected faults answer in Shansong format, which the plugin treats as retryable', async ({
    assert,
  }) => {
    const answer = emulator.errorResponse('server_error')
    assert.equal(answer.status, 500)
    assert.equal(envelope(answer).status, 500)
    const http = new StubHttp(() => answer)
    const adapter = plugin.create(createTestContext({ config: sandboxConfig(), http, now: NOW }))
    assert.deepInclude(await adapter.quote!(ORDER).catch((e) => e), { name: 'RetryableError' })
  })
})
