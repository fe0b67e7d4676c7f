/**
 * The Meituan Peisong emulator against the real Meituan plugin, in process: the
 * plugin's adapter reaches the emulator through a stubbed fetch over a small fake
 * EmulatorContext, so both sides of the wire format (form fields, SHA-1 sign, ×1e6
 * coordinates, yuan, status codes) are checked together; callbacks are verified with
 * the plugin's own verifyWebhook.
 */
import { test } from '@japa/runner'
import { readFile } from 'node:fs/promises'
import {
  DeliveryStateError,
  type EmulatorContext,
  type SandboxAccount,
  type SandboxDelivery,
  type SandboxDeliveryState,
  type SandboxRequest,
} from '#sandbox/emulator'
import emulator, { MEITUAN_SANDBOX_ACCOUNT } from '#sandbox/carriers/meituan'
import { meituanSignature } from '#sandbox/carriers/meituan/wire'
import { createTestContext, StubHttp, type RecordedRequest } from '#sdk/testing/stub_http'
import type { CarrierMethods, HubOrder, NormalizedEvent } from '#sdk/contract'
import plugin from '../../../plugins/meituan/src/index.js'
import type { MeituanConfig } from '../../../plugins/meituan/src/mapper.js'
import { deliveryIdFor } from '../../../plugins/meituan/src/units.js'

const NOW = new Date('2025-01-01T08:00:00.000Z')
const LATER = new Date('2025-01-01T08:03:00.000Z')
const HOOK = 'http://127.0.0.1:9/api/v1/webhooks/acct-meituan'
const ORDER: HubOrder = {
  id: 'ord_4001',
  external_id: 'POS-4001',
  store: {
    name: '老王面馆',
    address: '漕溪北路 88 号',
    city: '上海',
    lat: 31.190236,
    lng: 121.436525,
    contact_name: '王师傅',
    contact_phone: '13800001111',
  },
  recipient: {
    name: '李女士',
    phone: '13900002222',
    address: '天钥桥路 100 号',
    city: '上海',
    lat: 31.183467,
    lng: 121.443512,
  },
  items_summary: '牛肉面 x2',
  item_count: 2,
  weight_g: 1500,
  declared_value_fen: 6850,
  category: 'food',
  notes: '',
  tip_fen: 0,
}

/** Just enough market: fixed prices, quotes remembered, deliveries moved by hand. */
function fakeMarket(options: { quoteFails?: 'no_capacity' | 'out_of_range' } = {}) {
  const deliveries: SandboxDelivery[] = []
  const tokens = new Map<string, any>()
  const account: SandboxAccount = {
    carrier: 'meituan',
    ...emulator.defaultAccount!(),
    callbackUrl: HOOK,
  }
  const ctx: EmulatorContext = {
    now: () => NOW,
    wallNow: () => NOW,
    account: (carrier, key) =>
      carrier === 'meituan' && key === account.accountKey ? account : undefined,
    quote(input) {
      if (options.quoteFails) return { ok: false, reason: options.quoteFails }
      const quote = {
        ok: true as const,
        feeFen: 1250,
        distanceM: 1120,
        pickupEtaS: 300,
        dropoffEtaS: 1500,
        token: `Q${tokens.size + 1}`,
        expiresAt: new Date(NOW.getTime() + 600_000),
      }
      tokens.set(quote.token, { ...quote, input })
      return quote
    },
    redeemQuote: (_carrier, token) => tokens.get(token),
    createDelivery(input) {
      const existing = deliveries.find((d) => d.clientOrderId === input.clientOrderId)
      if (existing) return { delivery: existing, created: false }
      const delivery: SandboxDelivery = {
        ...input,
        carrierOrderId: `30000000000${deliveries.length + 1}`,
        tipFen: 0,
        state: 'waiting',
        rider: null,
        createdAt: NOW,
        history: [{ state: 'waiting', at: NOW }],
        extra: { ...input.extra },
      }
      deliveries.push(delivery)
      return { delivery, created: true }
    },
    findDelivery: (_carrier, id) =>
      deliveries.find((d) => d.carrierOrderId === id || d.clientOrderId === id),
    cancellationFeeFen: (d) => (d.state === 'waiting' ? 0 : 200),
    cancelDelivery(d, reason) {
      if (d.state === 'delivered') throw new DeliveryStateError(d.state, 'cancel')
      const feeFen = d.state === 'waiting' ? 0 : 200
      move(d, 'cancelled')
      d.cancellation = { by: 'merchant', reason, feeFen, at: NOW }
      return { feeFen }
    },
    addTip(d, amountFen) {
      if (d.state === 'delivered' || d.state === 'cancelled')
        throw new DeliveryStateError(d.state, 'tip')
      d.tipFen += amountFen
    },
    riderPosition: (d) => (d.rider ? { lat: d.rider.lat, lng: d.rider.lng, at: NOW } : null),
  }
  return { ctx, account, deliveries }
}

function move(delivery: SandboxDelivery, state: SandboxDeliveryState) {
  delivery.state = state
  if (state === 'waiting') delivery.rider = null
  if (state === 'accepted' && !delivery.rider) {
    const second = delivery.history.some((entry) => entry.state === 'accepted')
    delivery.rider = second
      ? { id: '20002', name: '李四', phone: '13700004444', lat: 31.1899, lng: 121.437 }
      : { id: '20001', name: '张三', phone: '13700003333', lat: 31.1899, lng: 121.437 }
  }
  delivery.history.push({ state, at: NOW, rider: delivery.rider })
}

const config = (overrides: Partial<MeituanConfig> = {}): MeituanConfig => ({
  baseUrl: 'http://sandbox.test/meituan',
  appKey: MEITUAN_SANDBOX_ACCOUNT.accountKey,
  appSecret: MEITUAN_SANDBOX_ACCOUNT.credentials.secret,
  shopId: MEITUAN_SANDBOX_ACCOUNT.credentials.shop_id,
  deliveryServiceCode: 4011,
  ...overrides,
})

const toSandbox = (request: RecordedRequest): SandboxRequest => ({
  method: request.method,
  path: new URL(request.url).pathname.replace(/^\/meituan/, ''),
  query: {},
  headers: request.headers,
  rawBody: request.body ?? '',
})

function connect(ctx: EmulatorContext, overrides: Partial<MeituanConfig> = {}, now = NOW) {
  const http = new StubHttp((request) => {
    const answer = emulator.handle(toSandbox(request), ctx) as Awaited<
      ReturnType<typeof emulator.handle>
    >
    return { status: answer.status, headers: answer.headers, body: answer.body }
  })
  const adapter: CarrierMethods = plugin.create(
    createTestContext({ config: config(overrides), http, now })
  )
  return { http, adapter }
}

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
      const signed = emulator.callback(delivery, account, NOW, {
        eventSeq: 1,
        forgeSignature: false,
        sentAt,
      })
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
    const signed = emulator.callback(delivery, account, NOW, {
      eventSeq: 3,
      forgeSignature: false,
      sentAt: NOW,
    })!
    const [first] = await verify(signed.body)
    const [again] = await verify(signed.body)
    assert.equal(first.eventId, again.eventId)
    await assert.rejects(
      () => verify(signed.body.replace('status=30', 'status=50')),
      /signature does not match/
    )
    const forged = emulator.callback(delivery, account, NOW, {
      eventSeq: 3,
      forgeSignature: true,
      sentAt: NOW,
    })!
    await assert.rejects(() => verify(forged.body), /signature does not match/)
    const stranger = { ...account, accountKey: 'other-appkey' }
    const foreign = emulator.callback(delivery, stranger, NOW, {
      eventSeq: 3,
      forgeSignature: false,
      sentAt: NOW,
    })!
    await assert.rejects(() => verify(foreign.body), /another appkey/)
  })
})
