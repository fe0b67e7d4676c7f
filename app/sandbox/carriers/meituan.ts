/**
 * Meituan Peisong (美团配送) emulator: form POSTs to `/meituan/order/<call>` (an
 * `/api` prefix, as in the production base URL, is accepted too) with `appkey`,
 * `timestamp`, `version` and the SHA-1 `sign` (./meituan/wire.ts), answered
 * `{code, message, data}` in yuan and ×1e6 coordinates. delivery_id is the retry
 * key; callbacks are signed forms that skip arrival and never go back to 0.
 *
 * Sandbox account: accountKey = appkey; credentials `secret`, `shop_id`, `city` and
 * the store's `shop_lat`/`shop_lng` (Meituan quotes from the registered store).
 */
import { bd09ToGcj02 } from '#sdk/coordinates'
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
  fromMeituanInt,
  meituanCallbackStatusOf,
  meituanFail,
  meituanOk,
  meituanSignature,
  meituanStatusOf,
  toMeituanInt,
  yuanNumber,
  type MeituanErrorKey,
} from '#sandbox/carriers/meituan/wire'

const CARRIER = 'meituan'
/** Meituan refuses requests whose timestamp is more than 10 minutes off. */
const TIMESTAMP_TOLERANCE_S = 600
const MAX_TIP_YUAN = 20
const MAX_TIPS_PER_ORDER = 5

export const MEITUAN_SANDBOX_ACCOUNT = {
  accountKey: 'sandbox-meituan-appkey',
  credentials: {
    secret: 'sandbox-meituan-secret',
    shop_id: 'test_0001',
    city: '上海',
    shop_lat: '31.190236',
    shop_lng: '121.436525',
  },
}

type Params = Record<string, string>

class MeituanFailure extends Error {
  constructor(readonly response: SandboxResponse) {
    super('meituan failure')
  }
}
const fail = (key: MeituanErrorKey, detail?: string) =>
  new MeituanFailure(meituanFail(key, 200, detail))

interface Call {
  account: SandboxAccount
  params: Params
}

function authenticate(request: SandboxRequest, context: EmulatorContext): Call {
  if ((request.headers['content-type'] ?? '').includes('json')) {
    throw fail('params', 'expected application/x-www-form-urlencoded')
  }
  const params: Params = Object.fromEntries(new URLSearchParams(request.rawBody))
  if (!params.appkey || !params.timestamp || !params.sign) {
    throw fail('params', 'appkey, timestamp and sign are required')
  }
  const account = context.account(CARRIER, params.appkey)
  if (!account) throw fail('appkey')
  if (meituanSignature(params, account.credentials.secret ?? '') !== params.sign)
    throw fail('signature')
  const wallS = (context.wallNow?.() ?? new Date()).getTime() / 1000
  if (
    !/^\d+$/.test(params.timestamp) ||
    Math.abs(wallS - Number(params.timestamp)) > TIMESTAMP_TOLERANCE_S
  ) {
    throw fail('timestamp')
  }
  if (params.version !== '1.0') throw fail('params', 'version must be 1.0')
  return { account, params }
}

function required(params: Params, name: string): string {
  if (!params[name]) throw fail('params', `${name} is required`)
  return params[name]
}

function integer(params: Params, name: string): string {
  const value = required(params, name)
  if (!/^-?\d+$/.test(value)) throw fail('params', `${name} must be an integer`)
  return value
}

function decimal(params: Params, name: string): number {
  const value = Number(required(params, name))
  if (!Number.isFinite(value) || value < 0) throw fail('params', `${name} must be a number`)
  return value
}

/** The order fields preCreateByShop and createByShop share, checked as Meituan would. */
function orderOf({ account, params }: Call) {
  if (required(params, 'shop_id') !== account.credentials.shop_id)
    throw fail('params', '门店不存在')
  for (const name of [
    'order_id',
    'receiver_name',
    'receiver_address',
    'receiver_phone',
    'delivery_service_code',
  ]) {
    required(params, name)
  }
  decimal(params, 'goods_value')
  const point = {
    lat: fromMeituanInt(integer(params, 'receiver_lat')),
    lng: fromMeituanInt(integer(params, 'receiver_lng')),
  }
  const coordinateType = params.coordinate_type || '0'
  if (coordinateType !== '0' && coordinateType !== '1')
    throw fail('params', 'coordinate_type is 0 or 1')
  return {
    deliveryId: integer(params, 'delivery_id'),
    orderId: params.order_id,
    to: coordinateType === '1' ? bd09ToGcj02(point) : point,
    weightG: Math.round(decimal(params, 'goods_weight') * 1000),
  }
}

/** Meituan prices an order when it is previewed and again when it is created. */
function priceOf(call: Call, order: ReturnType<typeof orderOf>, context: EmulatorContext) {
  const { credentials } = call.account
  const quoted = context.quote({
    carrier: CARRIER,
    city: credentials.city ?? '',
    from: { lat: Number(credentials.shop_lat), lng: Number(credentials.shop_lng) },
    to: order.to,
    weightG: order.weightG,
    at: context.now(),
    orderKey: order.orderId,
  })
  if (!quoted.ok) throw fail(quoted.reason === 'no_capacity' ? 'noCapacity' : 'outOfRange')
  return quoted
}

function preCreateByShop(call: Call, context: EmulatorContext) {
  const quoted = priceOf(call, orderOf(call), context)
  return meituanOk({
    delivery_distance: quoted.distanceM,
    delivery_fee: yuanNumber(quoted.feeFen),
    base_delivery_fee: yuanNumber(quoted.feeFen),
    coupons_id: '',
    coupons_amount: 0,
  })
}

const created = (delivery: SandboxDelivery) =>
  meituanOk({
    delivery_id: Number(delivery.clientOrderId),
    mt_peisong_id: delivery.carrierOrderId,
    order_id: delivery.extra.orderId,
    delivery_fee: yuanNumber(delivery.feeFen),
  })

/** The same delivery_id again is the same delivery (Meituan's retry rule). */
function createByShop(call: Call, context: EmulatorContext) {
  const order = orderOf(call)
  const existing = context.findDelivery(CARRIER, order.deliveryId)
  if (
    existing &&
    existing.clientOrderId === order.deliveryId &&
    existing.accountKey === call.account.accountKey
  ) {
    return created(existing)
  }
  const quoted = priceOf(call, order, context)
  const { credentials } = call.account
  const { delivery } = context.createDelivery({
    carrier: CARRIER,
    accountKey: call.account.accountKey,
    clientOrderId: order.deliveryId,
    quoteToken: quoted.token,
    feeFen: quoted.feeFen,
    from: { lat: Number(credentials.shop_lat), lng: Number(credentials.shop_lng) },
    to: order.to,
    city: credentials.city,
    extra: { orderId: order.orderId },
  })
  return created(delivery)
}

function ownDelivery({ account, params }: Call, context: EmulatorContext): SandboxDelivery {
  const deliveryId = integer(params, 'delivery_id')
  const delivery = context.findDelivery(CARRIER, required(params, 'mt_peisong_id'))
  if (
    !delivery ||
    delivery.accountKey !== account.accountKey ||
    delivery.clientOrderId !== deliveryId
  ) {
    throw fail('notFound')
  }
  return delivery
}

function cancel(call: Call, context: EmulatorContext) {
  const delivery = ownDelivery(call, context)
  const reasonId = integer(call.params, 'cancel_reason_id')
  context.cancelDelivery(delivery, call.params.cancel_reason || reasonId)
  delivery.extra.cancelReasonId = reasonId
  return meituanOk({
    delivery_id: Number(delivery.clientOrderId),
    mt_peisong_id: delivery.carrierOrderId,
    order_id: delivery.extra.orderId,
  })
}

/** Whole yuan, at most 20 a time and 5 times an order; serial_number makes a call idempotent. */
function addTip(call: Call, context: EmulatorContext) {
  const delivery = ownDelivery(call, context)
  const amount = Number(integer(call.params, 'tip_amount'))
  const serial = required(call.params, 'serial_number')
  if (amount < 1 || amount > MAX_TIP_YUAN)
    throw fail('params', `tip_amount is 1..${MAX_TIP_YUAN} yuan`)
  const serials = (delivery.extra.tipSerials as string[] | undefined) ?? []
  if (serials.includes(serial)) return meituanOk(null)
  if (serials.length >= MAX_TIPS_PER_ORDER)
    throw fail('params', `at most ${MAX_TIPS_PER_ORDER} tips per order`)
  context.addTip(delivery, amount * 100)
  delivery.extra.tipSerials = [...serials, serial]
  return meituanOk(null)
}

const unixSeconds = (at: Date) => Math.floor(at.getTime() / 1000)

function statusQuery(call: Call, context: EmulatorContext) {
  const delivery = ownDelivery(call, context)
  return meituanOk({
    delivery_id: Number(delivery.clientOrderId),
    mt_peisong_id: delivery.carrierOrderId,
    order_id: delivery.extra.orderId,
    status: meituanStatusOf(delivery),
    operate_time: unixSeconds(delivery.history.at(-1)?.at ?? delivery.createdAt),
    courier_name: delivery.rider?.name ?? '',
    courier_phone: delivery.rider?.phone ?? '',
    cancel_reason_id: delivery.extra.cancelReasonId ? Number(delivery.extra.cancelReasonId) : null,
    cancel_reason: delivery.cancellation?.reason ?? '',
  })
}

function riderLocation(call: Call, context: EmulatorContext) {
  const position = context.riderPosition(ownDelivery(call, context))
  if (!position) throw fail('notFound', '暂无骑手位置')
  return meituanOk({ lat: toMeituanInt(position.lat), lng: toMeituanInt(position.lng) })
}

const CALLS: Record<string, (call: Call, context: EmulatorContext) => SandboxResponse> = {
  '/order/preCreateByShop': preCreateByShop,
  '/order/createByShop': createByShop,
  '/order/delete': cancel,
  '/order/addTip': addTip,
  '/order/status/query': statusQuery,
  '/order/rider/location': riderLocation,
}

export const meituanEmulator: CarrierEmulator = {
  carrier: CARRIER,

  handle(request, context) {
    const call = CALLS[request.path.replace(/^\/api(?=\/)/, '')]
    if (request.method !== 'POST' || !call)
      return meituanFail('params', 404, `no such API: ${request.path}`)
    try {
      return call(authenticate(request, context), context)
    } catch (error) {
      if (error instanceof MeituanFailure) return error.response
      if (error instanceof DeliveryStateError) return meituanFail('state')
      throw error
    }
  },

  defaultAccount: () => ({
    accountKey: MEITUAN_SANDBOX_ACCOUNT.accountKey,
    credentials: { ...MEITUAN_SANDBOX_ACCOUNT.credentials },
  }),

  errorResponse: (kind) => meituanFail('busy', kind === 'unavailable' ? 503 : 500),

  /**
   * Meituan posts a signed form to the callback URL configured for the appkey. The
   * timestamp is the send time on the wall clock, which the hub checks.
   */
  callback(delivery, account, _at, options) {
    const status = meituanCallbackStatusOf(delivery)
    if (!account.callbackUrl || status === null) return null
    const params: Params = {
      delivery_id: delivery.clientOrderId,
      mt_peisong_id: delivery.carrierOrderId,
      order_id: String(delivery.extra.orderId ?? ''),
      status: String(status),
      courier_name: delivery.rider?.name ?? '',
      courier_phone: delivery.rider?.phone ?? '',
      cancel_reason_id:
        delivery.state === 'cancelled' ? String(delivery.extra.cancelReasonId ?? '') : '',
      cancel_reason: delivery.state === 'cancelled' ? (delivery.cancellation?.reason ?? '') : '',
      appkey: account.accountKey,
      timestamp: String(unixSeconds(options.sentAt ?? new Date())),
    }
    const secret = account.credentials.secret ?? ''
    params.sign = meituanSignature(params, options.forgeSignature ? `${secret}-forged` : secret)
    return {
      url: account.callbackUrl,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    }
  },
}

export default meituanEmulator
