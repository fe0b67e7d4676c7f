/**
 * Fengniao (蜂鸟) open platform v3 emulator: `POST /fengniao/openapi/token` and
 * `/fengniao/v3/invoke/<call>` (an `/anubis-webapi` prefix, as in the production
 * base URL, is accepted too). JSON envelopes signed with SHA-256 (./fengniao/wire.ts),
 * an access_token required on every call, answers `{code:"200", msg, business_data}`
 * in fen, order ids as Java longs. partner_order_code is the retry key.
 *
 * Sandbox account: accountKey = app_id; credentials `app_secret`, `merchant_id`,
 * `chain_store_id`, `city` and the store's `shop_lat`/`shop_lng` (used when a request
 * names no transport point).
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
  fengniaoCallbackStatusOf,
  fengniaoFail,
  fengniaoOk,
  fengniaoSignature,
  fengniaoStatusOf,
  jsonWithLongs,
  sandboxAccessToken,
  type FengniaoErrorKey,
} from '#sandbox/carriers/fengniao/wire'

const CARRIER = 'fengniao'
/** Requests signed further than this from the wall clock are refused (unconfirmed window). */
const TIMESTAMP_TOLERANCE_MS = 600_000
const TOKEN_LIFETIME_S = 365 * 86_400
/** The one service product the sandbox sells (ids as in Fengniao's samples). */
const SERVICE_GOODS_ID = 30001
const BASE_GOODS_ID = 10001
const MAX_PENDING = 10_000

export const FENGNIAO_SANDBOX_ACCOUNT = {
  accountKey: 'sandbox-fengniao-app-id',
  credentials: {
    app_secret: 'sandbox-fengniao-app-secret',
    merchant_id: '4434923',
    chain_store_id: '205318427',
    city: '上海',
    shop_lat: '31.190236',
    shop_lng: '121.436525',
  },
}

type Json = Record<string, unknown>

/** Pre-created orders waiting for createOrder: the market token and the tip asked for. */
const pending = new Map<string, { token: string; tipFen: number }>()

function remember(key: string, value: { token: string; tipFen: number }): void {
  pending.delete(key)
  pending.set(key, value)
  if (pending.size > MAX_PENDING) pending.delete(pending.keys().next().value!)
}

class FengniaoFailure extends Error {
  constructor(readonly response: SandboxResponse) {
    super('fengniao failure')
  }
}
const fail = (key: FengniaoErrorKey, detail?: string) =>
  new FengniaoFailure(fengniaoFail(key, 200, detail))

// ---- Envelopes and authentication -----------------------------------------------

function envelopeOf(request: SandboxRequest): Record<string, string> {
  let parsed: unknown
  try {
    parsed = JSON.parse(request.rawBody || '{}')
  } catch {
    throw fail('params', 'request body must be JSON')
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw fail('params', 'body must be an object')
  return Object.fromEntries(
    Object.entries(parsed as Json).map(([key, value]) => [
      key,
      value === null || value === undefined ? '' : String(value),
    ])
  )
}

/** app_id, signature over `signed` fields, timestamp (ms) window and merchant. */
function checkSigned(
  fields: Record<string, string>,
  signedKeys: string[],
  context: EmulatorContext
): SandboxAccount {
  const account = fields.app_id ? context.account(CARRIER, fields.app_id) : undefined
  if (!account) throw fail('signature', 'app_id 不存在')
  const signed = Object.fromEntries(signedKeys.map((key) => [key, fields[key] ?? '']))
  if (fengniaoSignature(signed, account.credentials.app_secret ?? '') !== fields.signature)
    throw fail('signature')
  const wallMs = (context.wallNow?.() ?? new Date()).getTime()
  if (
    !/^\d+$/.test(fields.timestamp ?? '') ||
    Math.abs(wallMs - Number(fields.timestamp)) > TIMESTAMP_TOLERANCE_MS
  ) {
    throw fail('timestamp')
  }
  if (fields.merchant_id !== account.credentials.merchant_id)
    throw fail('params', '商户未授权该应用')
  return account
}

const tokenOf = (account: SandboxAccount) =>
  sandboxAccessToken(
    account.accountKey,
    account.credentials.merchant_id ?? '',
    account.credentials.app_secret ?? ''
  )

function issueToken(request: SandboxRequest, context: EmulatorContext): SandboxResponse {
  const fields = envelopeOf(request)
  const keys = ['grant_type', 'code', 'app_id', 'merchant_id', 'timestamp', 'refresh_token']
  const account = checkSigned(fields, keys, context)
  if (fields.grant_type !== 'authorization_code' && fields.grant_type !== 'refresh_token') {
    throw fail('params', 'grant_type is authorization_code or refresh_token')
  }
  const accessToken = tokenOf(account)
  return fengniaoOk(
    JSON.stringify({
      app_id: account.accountKey,
      merchant_id: account.credentials.merchant_id,
      access_token: accessToken,
      refresh_token: `r${accessToken}`,
      expire_in: TOKEN_LIFETIME_S,
      re_expire_in: TOKEN_LIFETIME_S + 7 * 86_400,
    })
  )
}

interface Call {
  account: SandboxAccount
  business: Json
}

function authenticate(request: SandboxRequest, context: EmulatorContext): Call {
  const fields = envelopeOf(request)
  const keys = ['app_id', 'merchant_id', 'timestamp', 'version', 'access_token', 'business_data']
  const account = checkSigned(fields, keys, context)
  if (fields.version !== '1.0') throw fail('params', 'version must be 1.0')
  if (fields.access_token !== tokenOf(account)) throw fail('token')
  let business: unknown
  try {
    business = JSON.parse(fields.business_data || '{}')
  } catch {
    throw fail('params', 'business_data must be a JSON string')
  }
  if (!business || typeof business !== 'object' || Array.isArray(business))
    throw fail('params', 'business_data must be an object')
  return { account, business: business as Json }
}

const text = (business: Json, name: string): string => {
  const value = business[name]
  if (value === undefined || value === null || value === '')
    throw fail('params', `${name} is required`)
  return String(value)
}

const number = (business: Json, name: string): number => {
  const value = Number(business[name])
  if (business[name] === undefined || business[name] === '' || !Number.isFinite(value)) {
    throw fail('params', `${name} must be a number`)
  }
  return value
}

const cents = (business: Json, name: string): number => {
  const value = number(business, name)
  if (!Number.isSafeInteger(value) || value < 0) throw fail('params', `${name} must be whole fen`)
  return value
}

/** position_source 2 is Baidu (BD-09); 1 Tencent and 3 Amap are GCJ-02 already. */
function pointOf(business: Json, latName: string, lngName: string) {
  const point = { lat: number(business, latName), lng: number(business, lngName) }
  return Number(business.position_source) === 2 ? bd09ToGcj02(point) : point
}

// ---- Calls ----------------------------------------------------------------------

function preCreateOrder({ account, business }: Call, context: EmulatorContext) {
  const { credentials } = account
  if (text(business, 'chain_store_id') !== credentials.chain_store_id)
    throw fail('params', '门店不存在')
  const code = text(business, 'partner_order_code')
  const from =
    business.transport_latitude === undefined
      ? { lat: Number(credentials.shop_lat), lng: Number(credentials.shop_lng) }
      : pointOf(business, 'transport_latitude', 'transport_longitude')
  const tipFen =
    business.order_tip_amount_cent === undefined ? 0 : cents(business, 'order_tip_amount_cent')
  const quoted = context.quote({
    carrier: CARRIER,
    city: credentials.city ?? '',
    from,
    to: pointOf(business, 'receiver_latitude', 'receiver_longitude'),
    weightG: Math.round(number(business, 'goods_weight') * 1000),
    at: context.now(),
    orderKey: code,
  })
  if (!quoted.ok && quoted.reason === 'no_capacity') throw fail('noCapacity')
  if (quoted.ok) remember(`${account.accountKey}|${code}`, { token: quoted.token, tipFen })
  const goods = quoted.ok
    ? {
        is_valid: 1,
        disable_reason: '',
        total_delivery_amount_cent: quoted.feeFen + tipFen,
        actual_delivery_amount_cent: quoted.feeFen,
      }
    : {
        is_valid: 0,
        disable_reason: '超出配送范围',
        total_delivery_amount_cent: 0,
        actual_delivery_amount_cent: 0,
      }
  return fengniaoOk(
    JSON.stringify({
      distance: quoted.ok ? quoted.distanceM : 0,
      city_id: 1,
      time: (context.wallNow?.() ?? new Date()).getTime(),
      goods_infos: [
        {
          service_goods_id: SERVICE_GOODS_ID,
          base_goods_id: BASE_GOODS_ID,
          can_add_tip: 1,
          ...goods,
        },
      ],
    })
  )
}

const orderAnswer = (delivery: SandboxDelivery) =>
  fengniaoOk(
    jsonWithLongs(
      { order_id: delivery.carrierOrderId, partner_order_code: delivery.clientOrderId },
      ['order_id']
    )
  )

/** The same partner_order_code again answers the live order (a retry); after a cancel it is refused. */
function createOrder({ account, business }: Call, context: EmulatorContext) {
  const code = text(business, 'partner_order_code')
  const existing = context.findDelivery(CARRIER, code)
  if (existing && existing.clientOrderId === code && existing.accountKey === account.accountKey) {
    if (existing.state === 'cancelled') throw fail('duplicate')
    return orderAnswer(existing)
  }
  text(business, 'receiver_name')
  text(business, 'receiver_primary_phone')
  const offered = pending.get(`${account.accountKey}|${code}`)
  const quoted = offered && context.redeemQuote(CARRIER, offered.token)
  if (!offered || !quoted) throw fail('params', '请先预下单（预下单已过期）')
  if (
    number(business, 'service_goods_id') !== SERVICE_GOODS_ID ||
    number(business, 'base_goods_id') !== BASE_GOODS_ID
  ) {
    throw fail('params', '服务商品不可用')
  }
  if (cents(business, 'actual_delivery_amount_cent') !== quoted.feeFen)
    throw fail('params', '配送费已变更，请重新预下单')
  const { delivery } = context.createDelivery({
    carrier: CARRIER,
    accountKey: account.accountKey,
    clientOrderId: code,
    quoteToken: offered.token,
    feeFen: quoted.feeFen,
    from: quoted.input.from,
    to: quoted.input.to,
    city: quoted.input.city,
    extra: { distanceM: quoted.distanceM },
  })
  if (offered.tipFen > 0) context.addTip(delivery, offered.tipFen)
  return orderAnswer(delivery)
}

function ownDelivery({ account, business }: Call, context: EmulatorContext): SandboxDelivery {
  const id = business.order_id ?? business.partner_order_code
  const delivery = id === undefined ? undefined : context.findDelivery(CARRIER, String(id))
  if (!delivery || delivery.accountKey !== account.accountKey) throw fail('notFound')
  return delivery
}

/** third_index_id makes a tip idempotent. */
function addTip(call: Call, context: EmulatorContext) {
  const delivery = ownDelivery(call, context)
  const amount = cents(call.business, 'add_tip_amount_cent')
  const index = text(call.business, 'third_index_id')
  if (amount <= 0) throw fail('params', 'add_tip_amount_cent must be positive')
  const indexes = (delivery.extra.tipIndexes as string[] | undefined) ?? []
  if (!indexes.includes(index)) {
    context.addTip(delivery, amount)
    delivery.extra.tipIndexes = [...indexes, index]
  }
  return fengniaoOk('{}')
}

function cancelCost(delivery: SandboxDelivery, context: EmulatorContext): number {
  if (delivery.state === 'delivered') throw new DeliveryStateError(delivery.state, 'cancel')
  return delivery.state === 'cancelled'
    ? (delivery.cancellation?.feeFen ?? 0)
    : context.cancellationFeeFen(delivery)
}

function preCancelOrder(call: Call, context: EmulatorContext) {
  const delivery = ownDelivery(call, context)
  number(call.business, 'order_cancel_code')
  return fengniaoOk(JSON.stringify({ actual_cancel_cost_cent: cancelCost(delivery, context) }))
}

/** The cost must be the one preCancelOrder quoted, or the merchant has to look again. */
function cancelOrder(call: Call, context: EmulatorContext) {
  const delivery = ownDelivery(call, context)
  const reasonCode = number(call.business, 'order_cancel_code')
  number(call.business, 'order_cancel_role')
  if (cents(call.business, 'actual_cancel_cost_cent') !== cancelCost(delivery, context)) {
    throw fail('params', '取消费用已变化，请重新预取消')
  }
  context.cancelDelivery(delivery, String(call.business.order_cancel_other_reason || reasonCode))
  return fengniaoOk('{}')
}

const driverOf = (rider: SandboxDelivery['rider'] | undefined) =>
  rider
    ? {
        carrier_driver_id: rider.id,
        carrier_driver_name: rider.name,
        carrier_driver_phone: rider.phone,
      }
    : {}

function orderDetail(call: Call, context: EmulatorContext) {
  const delivery = ownDelivery(call, context)
  return fengniaoOk(
    jsonWithLongs(
      {
        order_id: delivery.carrierOrderId,
        tracking_id: delivery.carrierOrderId,
        partner_order_code: delivery.clientOrderId,
        order_status: fengniaoStatusOf(delivery.state),
        ...driverOf(delivery.rider),
        order_tip_amount_cent: delivery.tipFen,
        order_actual_amount_cent: delivery.feeFen + delivery.tipFen,
        order_distance: Number(delivery.extra.distanceM ?? 0),
        event_log_details: delivery.history.map((entry) => ({
          order_status: fengniaoStatusOf(entry.state),
          occur_time: entry.at.getTime(),
          ...driverOf(entry.rider),
        })),
      },
      ['order_id', 'tracking_id']
    )
  )
}

function knightInfo(call: Call, context: EmulatorContext) {
  const delivery = ownDelivery(call, context)
  const position = context.riderPosition(delivery)
  if (!delivery.rider || !position) throw fail('notFound', '暂无骑手信息')
  return fengniaoOk(
    JSON.stringify({
      ...driverOf(delivery.rider),
      carrier_driver_latitude: Number(position.lat.toFixed(6)),
      carrier_driver_longitude: Number(position.lng.toFixed(6)),
      locate_time: position.at.getTime(),
    })
  )
}

const CALLS: Record<string, (call: Call, context: EmulatorContext) => SandboxResponse> = {
  preCreateOrder,
  createOrder,
  addTip,
  preCancelOrder,
  cancelOrder,
  getOrderDetail: orderDetail,
  getKnightInfo: knightInfo,
}

function route(request: SandboxRequest, context: EmulatorContext): SandboxResponse {
  const path = request.path.replace(/^\/anubis-webapi(?=\/)/, '')
  if (request.method !== 'POST') return fengniaoFail('params', 405, 'POST only')
  if (path === '/openapi/token' || path === '/openapi/refreshToken')
    return issueToken(request, context)
  const call = path.startsWith('/v3/invoke/') ? CALLS[path.slice('/v3/invoke/'.length)] : undefined
  if (!call) return fengniaoFail('params', 404, `no such API: ${request.path}`)
  return call(authenticate(request, context), context)
}

export const fengniaoEmulator: CarrierEmulator = {
  carrier: CARRIER,

  handle(request, context) {
    try {
      return route(request, context)
    } catch (error) {
      if (error instanceof FengniaoFailure) return error.response
      if (error instanceof DeliveryStateError) return fengniaoFail('state')
      throw error
    }
  },

  defaultAccount: () => ({
    accountKey: FENGNIAO_SANDBOX_ACCOUNT.accountKey,
    credentials: { ...FENGNIAO_SANDBOX_ACCOUNT.credentials },
  }),

  errorResponse: (kind) => fengniaoFail('system', kind === 'unavailable' ? 503 : 500),

  /**
   * Fengniao posts `{app_id, timestamp, signature, business_data}` to the app's
   * callback URL; timestamp and push_time are the send time on the wall clock.
   */
  callback(delivery, account, _at, options) {
    const status = fengniaoCallbackStatusOf(delivery)
    if (!account.callbackUrl || status === null) return null
    const sentMs = (options.sentAt ?? new Date()).getTime()
    const param: Json = {
      order_id: delivery.carrierOrderId,
      partner_order_code: delivery.clientOrderId,
      order_status: status,
      ...driverOf(delivery.rider),
      push_time: sentMs,
    }
    if (delivery.state === 'cancelled') param.cancel_reason = delivery.cancellation?.reason ?? ''
    const fields = {
      app_id: account.accountKey,
      timestamp: String(sentMs),
      business_data: jsonWithLongs({ callback_business_type: 'orderStatusNotify', param }, [
        'order_id',
      ]),
    }
    const secret = account.credentials.app_secret ?? ''
    const signature = fengniaoSignature(
      fields,
      options.forgeSignature ? `${secret}-forged` : secret
    )
    return {
      url: account.callbackUrl,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...fields, signature }),
    }
  },
}

export default fengniaoEmulator
