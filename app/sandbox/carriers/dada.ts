/**
 * Dada (达达) emulator: `POST /dada/api/order/<call>` with Dada's JSON envelope
 * `{app_key, body, format, v, source_id, timestamp, signature}` (body = business JSON
 * string), answered `{status, code, msg, result}` in yuan. Verifies the request
 * signature like Dada (see ./dada/wire.ts), refuses stale timestamps, and signs
 * status callbacks with Dada's different, unkeyed callback recipe.
 *
 * Sandbox account: accountKey = app_key; credentials `app_secret`, `source_id`,
 * `shop_no`, `city_code`, `city`, and the store's `shop_lat`/`shop_lng` (Dada quotes
 * from the registered store, the request carries no pickup point).
 */
import {
  DeliveryStateError,
  type CarrierEmulator,
  type EmulatorContext,
  type SandboxAccount,
  type SandboxDelivery,
  type SandboxRequest,
  type SandboxResponse,
} from '#sandbox/emulator'
import {
  beijingDateTime,
  DADA_STATUS_TEXT,
  dadaCallbackSignature,
  dadaFail,
  dadaOk,
  dadaQueryStatusOf,
  dadaRequestSignature,
  dadaStatusOf,
  yuanNumber,
  type DadaErrorKey,
} from '#sandbox/carriers/dada/wire'

const CARRIER = 'dada'
/** Requests signed further than this from the wall clock are refused (unconfirmed window). */
const TIMESTAMP_TOLERANCE_S = 600
/** Dada lets merchants cancel until the rider has the goods. */
const CANCELLABLE = new Set(['waiting', 'accepted', 'arrived', 'cancelled'])
/** Quotes waiting for addAfterQuery, by deliveryNo; the oldest are dropped past this many. */
const MAX_PENDING = 10_000

export const DADA_SANDBOX_ACCOUNT = {
  accountKey: 'sandbox-dada-app-key',
  credentials: {
    app_secret: 'sandbox-dada-app-secret',
    source_id: '73753',
    shop_no: '11047059',
    city_code: '021',
    city: '上海',
    shop_lat: '31.190236',
    shop_lng: '121.436525',
  },
}

type Json = Record<string, unknown>

/** What queryDeliverFee learned that addAfterQuery needs (Dada keeps it behind deliveryNo). */
interface PendingOrder {
  accountKey: string
  originId: string
  callback: string | null
  tipsFen: number
}

const pending = new Map<string, PendingOrder>()

function remember(deliveryNo: string, order: PendingOrder): void {
  pending.delete(deliveryNo)
  pending.set(deliveryNo, order)
  if (pending.size > MAX_PENDING) pending.delete(pending.keys().next().value!)
}

class DadaFailure extends Error {
  constructor(readonly response: SandboxResponse) {
    super('dada failure')
  }
}
const fail = (key: DadaErrorKey, detail?: string) => new DadaFailure(dadaFail(key, 200, detail))

// ---- Envelope and authentication ------------------------------------------------

interface Call {
  account: SandboxAccount
  body: Json
}

function authenticate(request: SandboxRequest, context: EmulatorContext): Call {
  let envelope: Json
  try {
    envelope = JSON.parse(request.rawBody || '{}') as Json
  } catch {
    throw fail('params', 'request body must be JSON')
  }
  const field = (name: string) =>
    envelope[name] === undefined || envelope[name] === null ? '' : String(envelope[name])
  const params = {
    app_key: field('app_key'),
    body: field('body'),
    format: field('format'),
    v: field('v'),
    source_id: field('source_id'),
    timestamp: field('timestamp'),
  }
  if (!params.app_key || !params.timestamp || !field('signature')) {
    throw fail('params', 'app_key, timestamp and signature are required')
  }
  const account = context.account(CARRIER, params.app_key)
  if (!account) throw fail('appKey')
  if (dadaRequestSignature(params, account.credentials.app_secret ?? '') !== field('signature')) {
    throw fail('signature')
  }
  const wallS = (context.wallNow?.() ?? new Date()).getTime() / 1000
  if (
    !/^\d+$/.test(params.timestamp) ||
    Math.abs(wallS - Number(params.timestamp)) > TIMESTAMP_TOLERANCE_S
  ) {
    throw fail('timestamp')
  }
  if (params.source_id !== account.credentials.source_id) throw fail('sourceId')
  if (params.format !== 'json' || params.v !== '1.0')
    throw fail('params', 'format must be json, v 1.0')
  let body: unknown
  try {
    body = params.body ? JSON.parse(params.body) : {}
  } catch {
    throw fail('params', 'body must be a JSON string')
  }
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw fail('params', 'body must be an object')
  return { account, body: body as Json }
}

const text = (body: Json, name: string): string => {
  const value = body[name]
  if (value === undefined || value === null || value === '')
    throw fail('params', `${name} is required`)
  return String(value)
}

const number = (body: Json, name: string): number => {
  const value = Number(body[name])
  if (body[name] === undefined || body[name] === '' || !Number.isFinite(value)) {
    throw fail('params', `${name} must be a number`)
  }
  return value
}

/** Yuan (one decimal for tips) to fen, or a parameter error. */
function yuanToFen(body: Json, name: string, decimals: number): number {
  const value = body[name] === undefined ? 0 : number(body, name)
  const fen = Math.round(value * 100)
  if (fen < 0 || Math.abs(value * 10 ** decimals - Math.round(value * 10 ** decimals)) > 1e-6) {
    throw fail('params', `${name} must be yuan with at most ${decimals} decimal(s)`)
  }
  return fen
}

function ownDelivery(
  context: EmulatorContext,
  account: SandboxAccount,
  orderId: string
): SandboxDelivery {
  const delivery = context.findDelivery(CARRIER, orderId)
  if (
    !delivery ||
    delivery.accountKey !== account.accountKey ||
    delivery.clientOrderId !== orderId
  ) {
    throw fail('notFound')
  }
  return delivery
}

// ---- Calls ----------------------------------------------------------------------

function queryDeliverFee({ account, body }: Call, context: EmulatorContext) {
  const { credentials } = account
  if (text(body, 'shop_no') !== credentials.shop_no) throw fail('params', '门店编号不存在')
  const originId = text(body, 'origin_id')
  text(body, 'city_code')
  const tipsFen = yuanToFen(body, 'tips', 1)
  const quoted = context.quote({
    carrier: CARRIER,
    city: credentials.city ?? text(body, 'city_code'),
    from: { lat: Number(credentials.shop_lat), lng: Number(credentials.shop_lng) },
    to: { lat: number(body, 'receiver_lat'), lng: number(body, 'receiver_lng') },
    weightG: Math.round(number(body, 'cargo_weight') * 1000),
    at: context.now(),
    orderKey: originId,
  })
  if (!quoted.ok) throw fail(quoted.reason === 'no_capacity' ? 'noCapacity' : 'outOfRange')
  const callback = typeof body.callback === 'string' && body.callback ? body.callback : null
  remember(quoted.token, { accountKey: account.accountKey, originId, callback, tipsFen })
  return dadaOk({
    distance: quoted.distanceM,
    deliveryNo: quoted.token,
    fee: yuanNumber(quoted.feeFen),
    deliverFee: yuanNumber(quoted.feeFen),
    couponFee: 0,
    tips: yuanNumber(tipsFen),
    insuranceFee: 0,
  })
}

const orderResult = (delivery: SandboxDelivery, distanceM: number) => ({
  distance: distanceM,
  fee: yuanNumber(delivery.feeFen),
  deliverFee: yuanNumber(delivery.feeFen),
  couponFee: 0,
  tips: yuanNumber(delivery.tipFen),
  insuranceFee: 0,
})

/**
 * A repeated addAfterQuery with the same deliveryNo answers the order it made (so a
 * retry is safe); a new quote for an origin_id that already has an order is refused.
 */
function addAfterQuery({ account, body }: Call, context: EmulatorContext) {
  const deliveryNo = text(body, 'deliveryNo')
  const order = pending.get(deliveryNo)
  const existing = order && context.findDelivery(CARRIER, order.originId)
  if (order && existing && existing.accountKey === account.accountKey) {
    if (existing.quoteToken !== deliveryNo) throw fail('duplicate')
    return dadaOk(orderResult(existing, Number(existing.extra.distanceM ?? 0)))
  }
  const quoted = context.redeemQuote(CARRIER, deliveryNo)
  if (!order || order.accountKey !== account.accountKey || !quoted) throw fail('deliveryNoExpired')
  const { delivery } = context.createDelivery({
    carrier: CARRIER,
    accountKey: account.accountKey,
    clientOrderId: order.originId,
    quoteToken: deliveryNo,
    feeFen: quoted.feeFen,
    from: quoted.input.from,
    to: quoted.input.to,
    city: quoted.input.city,
    extra: { callback: order.callback, distanceM: quoted.distanceM },
  })
  if (order.tipsFen > 0) context.addTip(delivery, order.tipsFen)
  return dadaOk(orderResult(delivery, quoted.distanceM))
}

function formalCancel({ account, body }: Call, context: EmulatorContext) {
  const delivery = ownDelivery(context, account, text(body, 'order_id'))
  const reasonId = number(body, 'cancel_reason_id')
  if (reasonId === 10000 && !body.cancel_reason)
    throw fail('params', 'cancel_reason is required for 10000')
  if (!CANCELLABLE.has(delivery.state)) throw fail('cannotCancel')
  const { feeFen } = context.cancelDelivery(delivery, String(body.cancel_reason ?? reasonId))
  return dadaOk({ deduct_fee: yuanNumber(feeFen) })
}

/** tips replaces the order's tip: it must exceed the current one, by whole jiao. */
function addTip({ account, body }: Call, context: EmulatorContext) {
  const delivery = ownDelivery(context, account, text(body, 'order_id'))
  text(body, 'city_code')
  const tipsFen = yuanToFen(body, 'tips', 1)
  if (tipsFen <= delivery.tipFen) throw fail('params', '小费金额需大于上次')
  context.addTip(delivery, tipsFen - delivery.tipFen)
  return dadaOk(null)
}

const firstAt = (delivery: SandboxDelivery, state: SandboxDelivery['state']) =>
  delivery.history.find((entry) => entry.state === state)?.at

function statusQuery({ account, body }: Call, context: EmulatorContext) {
  const delivery = ownDelivery(context, account, text(body, 'order_id'))
  const code = dadaQueryStatusOf(delivery)
  const position = delivery.rider ? context.riderPosition(delivery) : null
  return dadaOk({
    orderId: delivery.clientOrderId,
    statusCode: code,
    statusMsg: DADA_STATUS_TEXT[code] ?? '',
    transporterName: delivery.rider?.name ?? '',
    transporterPhone: delivery.rider?.phone ?? '',
    transporterLat: position ? position.lat.toFixed(6) : '',
    transporterLng: position ? position.lng.toFixed(6) : '',
    deliveryFee: yuanNumber(delivery.feeFen),
    tips: yuanNumber(delivery.tipFen),
    couponFee: 0,
    insuranceFee: 0,
    actualFee: yuanNumber(delivery.feeFen + delivery.tipFen),
    distance: Number(delivery.extra.distanceM ?? 0),
    createTime: beijingDateTime(delivery.createdAt),
    acceptTime: beijingDateTime(firstAt(delivery, 'accepted')),
    fetchTime: beijingDateTime(firstAt(delivery, 'picked_up')),
    finishTime: beijingDateTime(firstAt(delivery, 'delivered')),
    cancelTime: beijingDateTime(firstAt(delivery, 'cancelled')),
    deductFee: yuanNumber(delivery.cancellation?.feeFen ?? 0),
  })
}

const CALLS: Record<string, (call: Call, context: EmulatorContext) => SandboxResponse> = {
  '/api/order/queryDeliverFee': queryDeliverFee,
  '/api/order/addAfterQuery': addAfterQuery,
  '/api/order/formalCancel': formalCancel,
  '/api/order/addTip': addTip,
  '/api/order/status/query': statusQuery,
}

// ---- The emulator ---------------------------------------------------------------

export const dadaEmulator: CarrierEmulator = {
  carrier: CARRIER,

  handle(request, context) {
    const call = CALLS[request.path]
    if (request.method !== 'POST' || !call)
      return dadaFail('params', 404, `no such API: ${request.path}`)
    try {
      return call(authenticate(request, context), context)
    } catch (error) {
      if (error instanceof DadaFailure) return error.response
      if (error instanceof DeliveryStateError) return dadaFail('cannotCancel')
      throw error
    }
  },

  defaultAccount: () => ({
    accountKey: DADA_SANDBOX_ACCOUNT.accountKey,
    credentials: { ...DADA_SANDBOX_ACCOUNT.credentials },
  }),

  errorResponse: (kind) => dadaFail('system', kind === 'unavailable' ? 503 : 500),

  /**
   * Dada POSTs JSON to the `callback` URL given with the order. update_time is the
   * send time on the wall clock (the hub checks it against its own clock), and a
   * rider dropping the order re-sends 1 with repeat_reason_type.
   */
  callback(delivery, account, _at, options) {
    const url =
      (typeof delivery.extra.callback === 'string' && delivery.extra.callback) ||
      account.callbackUrl
    const status = dadaStatusOf(delivery)
    if (!url || status === null) return null
    const clientId = delivery.carrierOrderId
    const orderId = delivery.clientOrderId
    const updateTime = String(Math.floor((options.sentAt ?? new Date()).getTime() / 1000))
    const signature = options.forgeSignature
      ? dadaCallbackSignature(clientId, `${orderId}-forged`, updateTime)
      : dadaCallbackSignature(clientId, orderId, updateTime)
    const cancelled = delivery.state === 'cancelled'
    const redispatch = status === 1 && delivery.history.some((entry) => entry.state === 'accepted')
    const payload: Json = {
      client_id: clientId,
      order_id: orderId,
      order_status: status,
      cancel_reason: cancelled ? (delivery.cancellation?.reason ?? '') : '',
      cancel_from: cancelled ? (delivery.cancellation?.by === 'merchant' ? 2 : 3) : 0,
      update_time: Number(updateTime),
      signature,
    }
    if (redispatch) payload.repeat_reason_type = 1
    if (delivery.rider) {
      payload.dm_id = Number(delivery.rider.id)
      payload.dm_name = delivery.rider.name
      payload.dm_mobile = delivery.rider.phone
    }
    return { url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) }
  },
}

export default dadaEmulator
