/**
 * Pure translation between the hub's contract and Fengniao's open platform v3:
 * the token request, `business_data` for each call, parsing of the answers, error
 * mapping and callback verification. No I/O here.
 */
import {
  AuthError,
  CapacityError,
  InvalidRequestError,
  mapCarrierStatus,
  ProtocolError,
  RejectedError,
  RetryableError,
  safeEqual,
  type CarrierError,
  type CarrierOrderRef,
  type CreateResult,
  type HubOrder,
  type NormalizedEvent,
  type PreCancelResult,
  type QuoteResult,
  type RawWebhookRequest,
  type RiderInfo,
  type RiderLocation,
  type StatusEvent,
} from '../../sdk/index.js'
import { fengniaoSignature } from './signature.js'
import {
  CANCEL_REASON_MAX,
  CANCEL_ROLE_MERCHANT,
  ERROR_CODES,
  fromFengniaoCents,
  fromFengniaoTime,
  ORDER_TYPE_NOW,
  PICKUP_ETA_S,
  POSITION_SOURCE_AMAP,
  QUOTE_VALIDITY_S,
  RIDER_SPEED_M_PER_S,
  STATUS_MAP,
  toFengniaoCoordinate,
  toFengniaoWeightKg,
} from './units.js'

export interface FengniaoConfig {
  baseUrl: string
  appId: string
  appSecret: string
  merchantId: string
  chainStoreId: string
  authCode?: string
  accessToken?: string
  cancelReasonCode?: number
  webhookToleranceS?: number
}

/** One business call: the path below the base URL and its `business_data`. */
export interface FengniaoCall {
  path: string
  business: Record<string, unknown>
}

interface GoodsInfo {
  service_goods_id?: number | string
  base_goods_id?: number | string
  is_valid?: number
  disable_reason?: string
  total_delivery_amount_cent?: number
  actual_delivery_amount_cent?: number
  predict_delivery_minutes?: number
}

interface DriverFields {
  carrier_driver_name?: string
  carrier_driver_phone?: string
}

export interface FengniaoDetail extends DriverFields {
  order_status?: number | string
  event_log_details?: Array<DriverFields & { order_status?: number | string; occur_time?: number }>
}

/** The token call (POST /openapi/token): the merchant's code for a 365-day access_token. */
export function buildTokenFields(
  config: FengniaoConfig,
  timestampMs: number
): Record<string, string> {
  return {
    grant_type: 'authorization_code',
    code: config.authCode ?? '',
    app_id: config.appId,
    merchant_id: config.merchantId,
    timestamp: String(timestampMs),
  }
}

export function parseToken(
  business: { access_token?: string; expire_in?: number },
  now: Date
): { accessToken: string; expiresAtMs: number } {
  if (!business.access_token) throw new ProtocolError('Fengniao token answer has no access_token')
  const lifetimeS = Number(business.expire_in ?? 365 * 86_400)
  return { accessToken: business.access_token, expiresAtMs: now.getTime() + lifetimeS * 1000 }
}

/** Pickup, drop-off and goods, shared by preCreateOrder and createOrder. */
function orderFields(order: HubOrder, config: FengniaoConfig) {
  return {
    partner_order_code: order.id,
    chain_store_id: config.chainStoreId,
    order_type: ORDER_TYPE_NOW,
    position_source: POSITION_SOURCE_AMAP,
    transport_address: order.store.address,
    transport_longitude: toFengniaoCoordinate(order.store.lng),
    transport_latitude: toFengniaoCoordinate(order.store.lat),
    transport_tel: order.store.contact_phone,
    receiver_address: order.recipient.address,
    receiver_longitude: toFengniaoCoordinate(order.recipient.lng),
    receiver_latitude: toFengniaoCoordinate(order.recipient.lat),
    goods_total_amount_cent: order.declared_value_fen,
    goods_actual_amount_cent: order.declared_value_fen,
    order_tip_amount_cent: order.tip_fen,
    goods_weight: toFengniaoWeightKg(order.weight_g),
    goods_count: order.item_count,
    goods_item_list: [
      {
        item_name: order.items_summary,
        item_quantity: 1,
        item_amount_cent: order.declared_value_fen,
        item_actual_amount_cent: order.declared_value_fen,
      },
    ],
  }
}

export const buildQuoteRequest = (order: HubOrder, config: FengniaoConfig): FengniaoCall => ({
  path: '/v3/invoke/preCreateOrder',
  business: orderFields(order, config),
})

/** The first usable service product is the quote; its ids are the token createOrder needs. */
export function parseQuote(
  business: { distance?: number; goods_infos?: GoodsInfo[] },
  now: Date
): QuoteResult {
  const goods = business.goods_infos ?? []
  const usable = goods.find((info) => Number(info.is_valid) === 1)
  if (!usable) {
    throw new RejectedError(
      `Fengniao offers no service for this order: ${goods[0]?.disable_reason ?? 'none listed'}`,
      {
        code: 'no_valid_goods',
        carrierMessage: goods[0]?.disable_reason,
      }
    )
  }
  const distanceM = Math.round(Number(business.distance ?? 0))
  const rideS = Math.round(distanceM / RIDER_SPEED_M_PER_S)
  return {
    feeFen: fromFengniaoCents(usable.actual_delivery_amount_cent, 'actual_delivery_amount_cent'),
    pickupEtaS: PICKUP_ETA_S,
    dropoffEtaS: usable.predict_delivery_minutes
      ? usable.predict_delivery_minutes * 60
      : PICKUP_ETA_S + rideS,
    distanceM,
    quoteToken: `${usable.service_goods_id}:${usable.base_goods_id}`,
    expiresAt: new Date(now.getTime() + QUOTE_VALIDITY_S * 1000).toISOString(),
  }
}

/**
 * partner_order_code (the hub's order id, as in the quote) is Fengniao's retry key:
 * a second createOrder with it is refused or answered with the same order.
 */
export function buildCreateRequest(
  order: HubOrder,
  quote: QuoteResult,
  config: FengniaoConfig
): FengniaoCall {
  const [serviceGoodsId, baseGoodsId] = quote.quoteToken.split(':')
  if (!serviceGoodsId || !baseGoodsId) {
    throw new InvalidRequestError(
      'Fengniao places orders only from a quote (service product missing)',
      {
        code: 'missing_quote_token',
      }
    )
  }
  return {
    path: '/v3/invoke/createOrder',
    business: {
      ...orderFields(order, config),
      receiver_name: order.recipient.name,
      receiver_primary_phone: order.recipient.phone,
      order_remark: order.notes,
      service_goods_id: Number(serviceGoodsId),
      base_goods_id: Number(baseGoodsId),
      actual_delivery_amount_cent: quote.feeFen,
    },
  }
}

export function parseCreate(business: { order_id?: number | string }): CreateResult {
  if (business.order_id === undefined || business.order_id === '') {
    throw new ProtocolError('Fengniao create answer has no order_id')
  }
  return { carrierOrderId: String(business.order_id) }
}

const byOrder = (ref: CarrierOrderRef) => ({ order_id: ref.carrierOrderId })

export const buildPreCancelRequest = (
  ref: CarrierOrderRef,
  config: FengniaoConfig
): FengniaoCall => ({
  path: '/v3/invoke/preCancelOrder',
  business: { ...byOrder(ref), order_cancel_code: config.cancelReasonCode ?? 9 },
})

export const parsePreCancel = (business: {
  actual_cancel_cost_cent?: number
}): PreCancelResult => ({
  feeFen: fromFengniaoCents(business.actual_cancel_cost_cent ?? 0, 'actual_cancel_cost_cent'),
})

/** cancelOrder must repeat the cost preCancelOrder quoted, so cancel runs both. */
export const buildCancelRequest = (
  ref: CarrierOrderRef,
  reason: string,
  costFen: number,
  config: FengniaoConfig
): FengniaoCall => ({
  path: '/v3/invoke/cancelOrder',
  business: {
    ...byOrder(ref),
    order_cancel_code: config.cancelReasonCode ?? 9,
    order_cancel_role: CANCEL_ROLE_MERCHANT,
    order_cancel_other_reason: reason.slice(0, CANCEL_REASON_MAX),
    actual_cancel_cost_cent: costFen,
  },
})

/** third_index_id makes one tip idempotent; the hub gives no key per tip, so it is the clock. */
export function buildTipRequest(
  ref: CarrierOrderRef,
  amountFen: number,
  indexId: number
): FengniaoCall {
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0) {
    throw new InvalidRequestError(`A tip must be a positive number of fen, got ${amountFen}`, {
      code: 'invalid_tip_amount',
    })
  }
  return {
    path: '/v3/invoke/addTip',
    business: { ...byOrder(ref), add_tip_amount_cent: amountFen, third_index_id: indexId },
  }
}

export const buildTrackRequest = (ref: CarrierOrderRef): FengniaoCall => ({
  path: '/v3/invoke/getOrderDetail',
  business: byOrder(ref),
})

const riderOf = (fields: DriverFields): RiderInfo | undefined => {
  const rider: RiderInfo = {}
  if (fields.carrier_driver_name) rider.name = fields.carrier_driver_name
  if (fields.carrier_driver_phone) rider.phone = fields.carrier_driver_phone
  return Object.keys(rider).length > 0 ? rider : undefined
}

function statusEvent(code: string, occurredAt: string, fields: DriverFields): StatusEvent {
  const event: StatusEvent = {
    occurredAt,
    carrierStatus: code,
    status: mapCarrierStatus(STATUS_MAP, code),
  }
  const rider = riderOf(fields)
  if (rider) event.rider = rider
  return event
}

/** The event log when present (unconfirmed shape), else the current status. */
export function parseTrack(business: FengniaoDetail, now: Date): StatusEvent[] {
  const log = business.event_log_details ?? []
  if (log.length > 0) {
    return log.map((entry) =>
      statusEvent(
        String(entry.order_status),
        fromFengniaoTime(entry.occur_time ?? now.getTime()),
        entry
      )
    )
  }
  return [statusEvent(String(business.order_status ?? ''), now.toISOString(), business)]
}

export const buildRiderRequest = (ref: CarrierOrderRef): FengniaoCall => ({
  path: '/v3/invoke/getKnightInfo',
  business: byOrder(ref),
})

export function parseRiderLocation(
  business: {
    carrier_driver_latitude?: number | string
    carrier_driver_longitude?: number | string
    locate_time?: number
  },
  now: Date
): RiderLocation {
  const lat = Number(business.carrier_driver_latitude)
  const lng = Number(business.carrier_driver_longitude)
  if (!business.carrier_driver_latitude || !Number.isFinite(lat) || !Number.isFinite(lng)) {
    throw new InvalidRequestError('Fengniao reports no rider position yet', {
      code: 'no_rider_position',
    })
  }
  return {
    lat,
    lng,
    at: business.locate_time ? fromFengniaoTime(business.locate_time) : now.toISOString(),
  }
}

function errorFor(code: string, message: string, httpStatus: number): CarrierError {
  const options = { code, carrierMessage: message }
  switch (code) {
    case ERROR_CODES.badSignature:
    case ERROR_CODES.tokenInvalid:
    case ERROR_CODES.staleTimestamp:
      return new AuthError(`Fengniao refused the credentials: ${message}`, options)
    case ERROR_CODES.noCapacity:
      return new CapacityError(`Fengniao has no rider available: ${message}`, options)
    case ERROR_CODES.outOfRange:
    case ERROR_CODES.insufficientBalance:
    case ERROR_CODES.statusForbids:
      return new RejectedError(`Fengniao refused: ${message}`, options)
    case ERROR_CODES.invalidParams:
    case ERROR_CODES.orderNotFound:
    case ERROR_CODES.duplicateOrder:
      return new InvalidRequestError(`Fengniao rejected the request: ${message}`, options)
    case ERROR_CODES.rateLimited:
    case ERROR_CODES.systemError:
      return new RetryableError(`Fengniao is busy: ${message}`, options)
    default:
      return httpStatus >= 500
        ? new RetryableError(`Fengniao API error ${httpStatus}: ${message}`, options)
        : new ProtocolError(
            `Unexpected Fengniao answer (HTTP ${httpStatus}, code ${code}): ${message}`,
            options
          )
  }
}

/**
 * JSON.parse that keeps integers beyond 2^53 (Fengniao's order ids are Java longs)
 * as their source digits instead of rounding them.
 */
export function parseJsonKeepingLongs(text: string): unknown {
  const reviver = (_key: string, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' &&
    !Number.isSafeInteger(value) &&
    /^-?\d+$/.test(context?.source ?? '')
      ? context!.source
      : value
  return JSON.parse(text, reviver as (key: string, value: unknown) => unknown)
}

/** Unwraps `{code, msg, business_data}`; business_data is a JSON string. */
export function parseEnvelope<T>(httpStatus: number, text: string): T {
  let envelope: { code?: unknown; msg?: unknown; business_data?: unknown }
  try {
    envelope = JSON.parse(text)
  } catch {
    if (httpStatus >= 500)
      throw new RetryableError(`Fengniao API error ${httpStatus}`, { code: `http_${httpStatus}` })
    throw new ProtocolError(`Fengniao answered non-JSON (HTTP ${httpStatus})`, {
      carrierMessage: text.slice(0, 200),
    })
  }
  const code = envelope.code === undefined ? '' : String(envelope.code)
  const message = typeof envelope.msg === 'string' ? envelope.msg : ''
  if (code !== ERROR_CODES.ok || httpStatus >= 400)
    throw errorFor(code || 'missing_code', message, httpStatus)
  const data = envelope.business_data
  if (typeof data !== 'string') return (data ?? {}) as T
  try {
    return (data === '' ? {} : parseJsonKeepingLongs(data)) as T
  } catch {
    throw new ProtocolError('Fengniao business_data is not JSON', {
      carrierMessage: data.slice(0, 200),
    })
  }
}

interface CallbackParam extends DriverFields {
  carrier_driver_id?: string | number
  order_id?: number | string
  order_status?: number | string
  push_time?: number | string
  cancel_reason?: string
  abnormal_desc?: string
}

/**
 * Callbacks are `{app_id, timestamp, signature, business_data}` signed like calls
 * (over app_id, business_data, timestamp). Only order status callbacks become
 * events; other types (store status, auth) verify and yield nothing.
 */
export function verifyWebhook(
  request: RawWebhookRequest,
  config: FengniaoConfig,
  now: Date
): NormalizedEvent[] {
  let payload: {
    app_id?: unknown
    timestamp?: unknown
    signature?: unknown
    business_data?: unknown
  }
  try {
    payload = JSON.parse(request.body)
  } catch {
    throw new ProtocolError('Fengniao callback body is not JSON')
  }
  if (String(payload.app_id ?? '') !== config.appId) {
    throw new AuthError('Fengniao callback is for another app_id', { code: 'wrong_app_id' })
  }
  const fields = {
    app_id: String(payload.app_id),
    business_data: String(payload.business_data ?? ''),
    timestamp: String(payload.timestamp ?? ''),
  }
  if (!safeEqual(fengniaoSignature(fields, config.appSecret), String(payload.signature ?? ''))) {
    throw new AuthError('Fengniao callback signature does not match', { code: 'bad_signature' })
  }
  const tolerance = config.webhookToleranceS ?? 900
  if (Math.abs(now.getTime() - Number(fields.timestamp)) > tolerance * 1000) {
    throw new AuthError(`Fengniao callback timestamp is outside the ${tolerance} s window`, {
      code: 'stale_signature',
    })
  }
  let business: { callback_business_type?: string; param?: CallbackParam }
  try {
    business = parseJsonKeepingLongs(fields.business_data) as typeof business
  } catch {
    throw new ProtocolError('Fengniao callback business_data is not JSON')
  }
  if (business.callback_business_type !== 'orderStatusNotify' || !business.param) return []
  const param = business.param
  const code = String(param.order_status ?? '')
  const pushTime = param.push_time ?? fields.timestamp
  const event: NormalizedEvent = {
    ...statusEvent(code, fromFengniaoTime(pushTime), param),
    // No event id from Fengniao: order, status, push time, and the rider (a reassignment repeats 20).
    eventId: [param.order_id, code, pushTime, param.carrier_driver_id]
      .filter((part) => part !== undefined && part !== '')
      .join(':'),
    carrierOrderId: String(param.order_id ?? ''),
  }
  const note = param.cancel_reason || param.abnormal_desc
  if (note) event.note = note
  return [event]
}
