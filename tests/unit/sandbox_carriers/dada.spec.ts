/**
 * The Dada emulator against the real Dada plugin, in process: the plugin's adapter
 * reaches the emulator through a stubbed fetch over a small fake EmulatorContext, so
 * both sides of the wire format (envelope, signatures, yuan, status codes) are
 * checked together; callbacks are verified with the plugin's own verifyWebhook.
 */
import { test } from '@japa/runner'
import { readFile } from 'node:fs/promises'
import type { EmulatorContext, SandboxRequest } from '#sandbox/emulator'
import emulator, { DADA_SANDBOX_ACCOUNT } from '#sandbox/carriers/dada'
import { dadaCallbackSignature, dadaRequestSignature } from '#sandbox/carriers/dada/wire'
import type { CarrierMethods, NormalizedEvent } from '#sdk/contract'
import { NOW } from '#tests/unit/sandbox_carriers/support/fake_market'
import { FIRST_RIDER, mover } from '#tests/unit/sandbox_carriers/support/riders'
import { emulatorHarness, testOrder } from '#tests/unit/sandbox_carriers/support/emulator_harness'
import plugin from '../../../plugins/dada/src/index.js'
import type { DadaConfig } from '../../../plugins/dada/src/mapper.js'

const HOOK = 'http://127.0.0.1:9/api/v1/webhooks/acct-dada'
const ORDER = testOrder(3001)

/** The first acceptance brings rider 20001, who keeps the order even through a re-dispatch. */
const move = mover((delivery, state) => {
  if (state === 'accepted' && !delivery.rider) delivery.rider = { ...FIRST_RIDER }
})

// Dada's callbacks go to the `callback` URL sent with each order, not to the account.
const harness = emulatorHarness({
  emulator,
  plugin,
  callbackUrl: null,
  price: { feeFen: 1250, distanceM: 1120, pickupEtaS: 300, dropoffEtaS: 1500 },
  move,
  wallClock: true,
})
const { fakeMarket } = harness

const config = (overrides: Partial<DadaConfig> = {}): DadaConfig => ({
  baseUrl: 'http://sandbox.test/dada',
  appKey: DADA_SANDBOX_ACCOUNT.accountKey,
  appSecret: DADA_SANDBOX_ACCOUNT.credentials.app_secret,
  sourceId: DADA_SANDBOX_ACCOUNT.credentials.source_id,
  shopNo: DADA_SANDBOX_ACCOUNT.credentials.shop_no,
  cityCode: '021',
  callbackUrl: HOOK,
  ...overrides,
})

/** The real plugin, wired to the emulator through a stubbed fetch. */
const connect = (ctx: EmulatorContext, overrides: Partial<DadaConfig> = {}) =>
  harness.connect(ctx, config(overrides))

const envelope = (body: Record<string, unknown>, overrides: Record<string, string> = {}) => {
  const params = {
    app_key: DADA_SANDBOX_ACCOUNT.accountKey,
    body: JSON.stringify(body),
    format: 'json',
    v: '1.0',
    source_id: '73753',
    timestamp: String(NOW.getTime() / 1000),
  }
  const signature = dadaRequestSignature(params, DADA_SANDBOX_ACCOUNT.credentials.app_secret)
  return JSON.stringify({ ...params, signature, ...overrides })
}
const raw = (path: string, rawBody: string): SandboxRequest => ({
  method: 'POST',
  path,
  query: {},
  headers: {},
  rawBody,
})

async function placed(ctx: EmulatorContext, adapter: CarrierMethods) {
  const quote = await adapter.quote!(ORDER)
  const created = await adapter.create!(ORDER, quote, 'ord_3001:attempt-1')
  return { quote, created, delivery: ctx.findDelivery('dada', created.carrierOrderId)! }
}

test.group('Sandbox carriers | dada', () => {
  test('signing matches the test vectors the plugin is held to', async ({ assert }) => {
    const vectors = JSON.parse(
      await readFile(
        new URL('../../../plugins/dada/fixtures/signatures.json', import.meta.url),
        'utf8'
      )
    )
    for (const vector of vectors.request) {
      assert.equal(dadaRequestSignature(vector.params, vector.appSecret), vector.expected)
    }
    for (const { fields, expected } of vectors.callback) {
      assert.equal(
        dadaCallbackSignature(
          String(fields.client_id),
          String(fields.order_id),
          String(fields.update_time)
        ),
        expected
      )
    }
  })

  test('quote and create through the plugin: yuan, deliveryNo, origin_id, callback URL', async ({
    assert,
  }) => {
    const { ctx, deliveries } = fakeMarket()
    const { adapter, http } = connect(ctx)
    const { quote, created, delivery } = await placed(ctx, adapter)
    assert.deepInclude(quote, { feeFen: 1250, distanceM: 1120, quoteToken: 'Q1' })
    assert.deepEqual(created, { carrierOrderId: 'ord_3001', feeFen: 1250 })
    assert.lengthOf(deliveries, 1)
    assert.equal(delivery.clientOrderId, 'ord_3001')
    assert.equal(delivery.extra.callback, HOOK)
    assert.deepEqual(
      http.requests.map((request) => new URL(request.url).pathname),
      ['/dada/api/order/queryDeliverFee', '/dada/api/order/addAfterQuery']
    )
  })

  test('a retried addAfterQuery answers the same order; a new quote for it is refused', async ({
    assert,
  }) => {
    const { ctx, deliveries } = fakeMarket()
    const { adapter } = connect(ctx)
    const { quote } = await placed(ctx, adapter)
    assert.deepEqual(await adapter.create!(ORDER, quote, 'ord_3001:attempt-1'), {
      carrierOrderId: 'ord_3001',
      feeFen: 1250,
    })
    const second = await adapter.quote!(ORDER)
    await assert.rejects(() => adapter.create!(ORDER, second, 'ord_3001:attempt-2'), /重复发单/)
    assert.lengthOf(deliveries, 1)
  })

  test('no riders and out of range come back as Dada codes the plugin types', async ({
    assert,
  }) => {
    for (const [reason, error] of [
      ['no_capacity', 'CapacityError'],
      ['out_of_range', 'RejectedError'],
    ] as const) {
      const { adapter } = connect(fakeMarket({ quoteFails: reason }).ctx)
      const failure = await adapter.quote!(ORDER).catch((caught: Error) => caught)
      assert.equal((failure as Error).name, error)
    }
  })

  test('a bad signature, an unknown app_key and a stale timestamp are refused', async ({
    assert,
  }) => {
    const { ctx } = fakeMarket()
    const answer = (body: string) =>
      JSON.parse((emulator.handle(raw('/api/order/status/query', body), ctx) as any).body)
    assert.deepInclude(answer(envelope({ order_id: 'x' }, { signature: 'F'.repeat(32) })), {
      status: 'fail',
      code: 2003,
    })
    assert.deepInclude(answer(envelope({ order_id: 'x' }, { app_key: 'nobody' })), { code: 2001 })
    const stale = {
      ...JSON.parse(envelope({ order_id: 'x' })),
      timestamp: String(NOW.getTime() / 1000 - 3600),
    }
    stale.signature = dadaRequestSignature(stale, DADA_SANDBOX_ACCOUNT.credentials.app_secret)
    assert.deepInclude(answer(JSON.stringify(stale)), { code: 2004 })
    assert.deepInclude(answer(envelope({ order_id: 'x' })), { code: 2071 })

    const { adapter } = connect(ctx, { appSecret: 'not-the-sandbox-secret' })
    const failure = (await adapter.quote!(ORDER).catch((caught) => caught)) as {
      name: string
      code: string
    }
    assert.deepEqual([failure.name, failure.code], ['AuthError', '2003'])
  })

  test('tip adds to the current tips; cancel returns deduct_fee; cancel after pickup is refused', async ({
    assert,
  }) => {
    const { ctx } = fakeMarket()
    const { adapter } = connect(ctx)
    const { created, delivery } = await placed(ctx, adapter)
    const ref = { orderId: ORDER.id, carrierOrderId: created.carrierOrderId }
    await adapter.addTip!(ref, 300)
    await adapter.addTip!(ref, 200)
    assert.equal(delivery.tipFen, 500)
    await assert.rejects(() => adapter.addTip!(ref, 255), /whole number of jiao/)

    move(delivery, 'accepted')
    const events = await adapter.track!(ref)
    assert.deepEqual(
      events.map((event) => event.status),
      ['dispatching', 'accepted']
    )
    assert.deepInclude(await adapter.riderLocation!(ref), { lat: 31.1899, lng: 121.437 })
    assert.deepEqual(await adapter.cancel!(ref, 'customer_cancelled'), { feeFen: 200 })
    assert.equal(delivery.state, 'cancelled')

    const other = fakeMarket()
    const second = connect(other.ctx)
    const placedAgain = await placed(other.ctx, second.adapter)
    move(placedAgain.delivery, 'accepted')
    move(placedAgain.delivery, 'picked_up')
    const refused = await second.adapter.cancel!(
      { orderId: ORDER.id, carrierOrderId: 'ord_3001' },
      'x'
    ).catch((e) => e)
    assert.deepEqual([refused.name, refused.code], ['RejectedError', '2060'])
  })

  test('callbacks verify with the plugin; tampered and forged ones are refused', async ({
    assert,
  }) => {
    const { ctx, account } = fakeMarket()
    const { adapter } = connect(ctx)
    const { delivery } = await placed(ctx, adapter)
    const verify = (body: string): Promise<NormalizedEvent[]> =>
      adapter.verifyWebhook!({ headers: { 'content-type': 'application/json' }, body, query: {} })
    const seen: string[] = []
    for (const state of ['accepted', 'arrived', 'picked_up', 'delivering', 'delivered'] as const) {
      move(delivery, state)
      const signed = harness.callback(delivery, account, { eventSeq: 1, sentAt: NOW })
      if (!signed) {
        seen.push(`${state}:none`)
        continue
      }
      assert.equal(signed.url, HOOK)
      const [event] = await verify(signed.body)
      assert.equal(event.carrierOrderId, 'ord_3001')
      seen.push(`${state}:${event.carrierStatus}:${event.status}`)
    }
    assert.deepEqual(seen, [
      'accepted:2:accepted',
      'arrived:100:arrived_at_store',
      'picked_up:3:picked_up',
      'delivering:none',
      'delivered:4:delivered',
    ])
    const signed = harness.callback(delivery, account, { eventSeq: 2, sentAt: NOW })!
    const [first] = await verify(signed.body)
    const [again] = await verify(signed.body)
    assert.equal(first.eventId, again.eventId)

    const tampered = signed.body.replace('"order_id":"ord_3001"', '"order_id":"ord_9999"')
    await assert.rejects(() => verify(tampered), /signature does not match/)
    const forged = harness.callback(delivery, account, {
      eventSeq: 3,
      forgeSignature: true,
      sentAt: NOW,
    })!
    await assert.rejects(() => verify(forged.body), /signature does not match/)
  })

  test('a rider drop re-sends 1 with repeat_reason_type; a carrier give-up is 7 (failed)', async ({
    assert,
  }) => {
    const { ctx, account } = fakeMarket()
    const { adapter } = connect(ctx)
    const { delivery } = await placed(ctx, adapter)
    move(delivery, 'accepted')
    move(delivery, 'waiting')
    const redispatch = JSON.parse(
      harness.callback(delivery, account, { eventSeq: 3, sentAt: NOW })!.body
    )
    assert.deepInclude(redispatch, { order_status: 1, repeat_reason_type: 1 })
    move(delivery, 'cancelled')
    delivery.cancellation = { by: 'carrier', reason: 'no rider accepted', feeFen: 0, at: NOW }
    const signed = harness.callback(delivery, account, { eventSeq: 4, sentAt: NOW })!
    const [event] = await adapter.verifyWebhook!({ headers: {}, body: signed.body, query: {} })
    assert.deepInclude(event, { carrierStatus: '7', status: 'failed', note: 'no rider accepted' })
  })
})
