/**
 * Pure translation between the hub's contract and Meituan Peisong's open API:
 * form parameters for each call, parsing of `data`, error mapping and callback
 * verification. No I/O here.
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
  sha256Hex,
  type CarrierError,
  type CarrierOrderRef,
  type CreateResult,
  type HubOrder,
  type NormalizedEvent,
  type QuoteResult,
  type RawWebhookRequest,
  type RiderInfo,
  type RiderLocation,
  type StatusEvent,
} from '../../sdk/index.js'
import { signParams } from './signature.js'
import {
  CANCEL_REASON_OTHER,
  CANCEL_REASONS,
  carrierOrderIdOf,
  COORDINATE_TYPE_GCJ02,
  DEFAULT_DELIVERY_S,
  deliveryIdFor,
  ERROR_CODES,
  fromMeituanCoordinate,
  fromMeituanMoney,
  fromMeituanTime,
  MAX_TIP_YUAN,
  PAY_TYPE_ACCOUNT,
  PICKUP_ETA_S,
  QUOTE_VALIDITY_S,
  SERVICE_DELIVERY_S,
  splitCarrierOrderId,
  STATUS_MAP,
  toMeituanCoordinate,
  toMeituanMoney,
  toMeituanWeightKg,
} from './units.js'

export interface MeituanConfig {
  baseUrl: string
  appKey: string
  appSecret: string
  shopId: string
  deliveryServiceCode: number
  webhookToleranceS?: number
}

/** One call: the path below the base URL and its business parameters (form fields). */
export interface MeituanCall {
  path: string
  params: Record<string, string>
}

export interface MeituanStatus {
  delivery_id?: number | string
  mt_peisong_id?: string
  status?: number | string
  operate_time?: number | string
  courier_name?: string
  courier_phone?: string
  cancel_reason?: string
}

/** The order fields preCreateByShop and createByShop share. */
function orderParams(order: HubOrder, deliveryId: number, config: MeituanConfig) {
  return {
    delivery_id: String(deliveryId),
    order_id: order.id,
    shop_id: config.shopId,
    delivery_service_code: String(config.deliveryServiceCode),
    receiver_name: order.recipient.name,
    receiver_address: order.recipient.address,
    receiver_phone: order.recipient.phone,
    receiver_lng: String(toMeituanCoordinate(order.recipient.lng)),
    receiver_lat: String(toMeituanCoordinate(order.recipient.lat)),
    coordinate_type: COORDINATE_TYPE_GCJ02,
    pay_type_code: PAY_TYPE_ACCOUNT,
    goods_value: toMeituanMoney(order.declared_value_fen),
    goods_weight: toMeituanWeightKg(order.weight_g),
    goods_detail: JSON.stringify({
      goods: [{ goodCount: order.item_count, goodName: order.items_summary }],
    }),
    poi_seq: order.external_id,
    note: order.notes,
  }
}

/** The preview needs a delivery_id too; the order id's hash keeps it stable per order. */
export const buildQuoteRequest = (order: HubOrder, config: MeituanConfig): MeituanCall => ({
  path: '/order/preCreateByShop',
  params: orderParams(order, deliveryIdFor(`quote:${order.id}`), config),
})

export function parseQuote(
  data: { delivery_distance: number | string; delivery_fee: number | string },
  config: MeituanConfig,
  now: Date
): QuoteResult {
  const deliveryS = SERVICE_DELIVERY_S[config.deliveryServiceCode] ?? DEFAULT_DELIVERY_S
  return {
    feeFen: fromMeituanMoney(data.delivery_fee),
    pickupEtaS: PICKUP_ETA_S,
    dropoffEtaS: deliveryS,
    distanceM: Math.round(Number(data.delivery_distance)),
    quoteToken: '',
    expiresAt: new Date(now.getTime() + QUOTE_VALIDITY_S * 1000).toISOString(),
  }
}

/** delivery_id is Meituan's retry key: a retried create with the same key is the same delivery. */
export const buildCreateRequest = (
  order: HubOrder,
  idempotencyKey: string,
  config: MeituanConfig
): MeituanCall => ({
  path: '/order/createByShop',
  params: orderParams(order, deliveryIdFor(idempotencyKey), config),
})

export function parseCreate(data: {
  delivery_id: number | string
  mt_peisong_id: string
  delivery_fee?: number | string
}): CreateResult {
  if (!data.mt_peisong_id) throw new ProtocolError('Meituan create answer has no mt_peisong_id')
  const carrierOrderId = carrierOrderIdOf(data.mt_peisong_id, data.delivery_id)
  return data.delivery_fee === undefined
    ? { carrierOrderId }
    : { carrierOrderId, feeFen: fromMeituanMoney(data.delivery_fee) }
}

function orderRef(ref: CarrierOrderRef): Record<string, string> {
  const { mtPeisongId, deliveryId } = splitCarrierOrderId(ref.carrierOrderId)
  if (!deliveryId) {
    throw new InvalidRequestError(
      `Meituan order id "${ref.carrierOrderId}" lacks the delivery_id part`,
      { code: 'bad_carrier_order_id' }
    )
  }
  return { delivery_id: deliveryId, mt_peisong_id: mtPeisongId }
}

/** Meituan's delete answer carries no fee: cancelling is free or billed later. */
export const buildCancelRequest = (ref: CarrierOrderRef, reason: string): MeituanCall => ({
  path: '/order/delete',
  params: {
    ...orderRef(ref),
    cancel_reason_id: String(CANCEL_REASONS[reason] ?? CANCEL_REASON_OTHER),
    cancel_reason: reason,
  },
})

/**
 * Tips are whole yuan, at most 20 per call; serial_number makes one call
 * idempotent (the hub gives no key per tip, so every call is a new tip).
 */
export function buildTipRequest(
  ref: CarrierOrderRef,
  amountFen: number,
  serial: string
): MeituanCall {
  if (amountFen <= 0 || amountFen % 100 !== 0 || amountFen / 100 > MAX_TIP_YUAN) {
    throw new InvalidRequestError(
      `Meituan tips are whole yuan up to ${MAX_TIP_YUAN}; ${amountFen} fen is not`,
      { code: 'invalid_tip_amount' }
    )
  }
  return {
    path: '/order/addTip',
    params: { ...orderRef(ref), tip_amount: String(amountFen / 100), serial_number: serial },
  }
}

export const buildTrackRequest = (ref: CarrierOrderRef): MeituanCall => ({
  path: '/order/status/query',
  params: orderRef(ref),
})

const riderOf = (name?: string, phone?: string): RiderInfo | undefined =>
  name || phone ? { ...(name ? { name } : {}), ...(phone ? { phone } : {}) } : undefined

/** The status query reports only the current state. */
export function parseTrack(data: MeituanStatus, now: Date): StatusEvent[] {
  const code = String(data.status ?? '')
  const event: StatusEvent = {
    occurredAt: data.operate_time ? fromMeituanTime(data.operate_time) : now.toISOString(),
    carrierStatus: code,
    status: mapCarrierStatus(STATUS_MAP, code),
  }
  const rider = riderOf(data.courier_name, data.courier_phone)
  if (rider) event.rider = rider
  if (data.cancel_reason) event.note = data.cancel_reason
  return [event]
}

export const buildRiderLocationRequest = (ref: CarrierOrderRef): MeituanCall => ({
  path: '/order/rider/location',
  params: orderRef(ref),
})

/** Coordinates come back as integers ×1e6 and without a fix time. */
export function parseRiderLocation(
  data: { lat?: number | string; lng?: number | string },
  now: Date
): RiderLocation {
  if (data.lat === undefined || data.lng === undefined || data.lat === '' || data.lng === '') {
    throw new InvalidRequestError('Meituan reports no rider position yet', {
      code: 'no_rider_position',
    })
  }
  return {
    lat: fromMeituanCoordinate(data.lat),
    lng: fromMeituanCoordinate(data.lng),
    at: now.toISOString(),
  }
}

function errorFor(code: number, message: string, httpStatus: number): CarrierError {
  const options = { code: String(code), carrierMessage: message }
  switch (code) {
    case ERROR_CODES.badSignature:
    case ERROR_CODES.badAppKey:
    case ERROR_CODES.staleTimestamp:
      return new AuthError(`Meituan refused the credentials: ${message}`, options)
    case ERROR_CODES.noCapacity:
      return new CapacityError(`Meituan has no rider available: ${message}`, options)
    case ERROR_CODES.outOfRange:
    case ERROR_CODES.insufficientBalance:
    case ERROR_CODES.statusForbids:
      return new RejectedError(`Meituan refused: ${message}`, options)
    case ERROR_CODES.invalidParams:
    case ERROR_CODES.orderNotFound:
      return new InvalidRequestError(`Meituan rejected the request: ${message}`, options)
    case ERROR_CODES.systemBusy:
    case ERROR_CODES.rateLimited:
      return new RetryableError(`Meituan is busy: ${message}`, options)
    default:
      return httpStatus >= 500
        ? new RetryableError(`Meituan API error ${httpStatus}: ${message}`, options)
        : new ProtocolError(
            `Unexpected Meituan answer (HTTP ${httpStatus}, code ${code}): ${message}`,
            options
          )
  }
}

/** Unwraps `{code, message, data}`; a non-zero code is a typed error. */
export function parseEnvelope<T>(httpStatus: number, text: string): T {
  let envelope: { code?: unknown; message?: unknown; data?: unknown }
  try {
    envelope = JSON.parse(text)
  } catch {
    if (httpStatus >= 500)
      throw new RetryableError(`Meituan API error ${httpStatus}`, { code: `http_${httpStatus}` })
    throw new ProtocolError(`Meituan answered non-JSON (HTTP ${httpStatus})`, {
      carrierMessage: text.slice(0, 200),
    })
  }
  const code = envelope.code === undefined ? Number.NaN : Number(envelope.code)
  const message = typeof envelope.message === 'string' ? envelope.message : ''
  if (code !== ERROR_CODES.ok || httpStatus >= 400) {
    throw errorFor(Number.isNaN(code) ? -1 : code, message, httpStatus)
  }
  return (envelope.data ?? {}) as T
}

/** Meituan posts callbacks as a form; a JSON body (seen in some integrations) is read too. */
function callbackParams(request: RawWebhookRequest): Record<string, string> {
  const type = request.headers['content-type'] ?? ''
  if (type.includes('json') || request.body.trimStart().startsWith('{')) {
    try {
      const parsed = JSON.parse(request.body) as Record<string, unknown>
      return Object.fromEntries(
        Object.entries(parsed).map(([key, value]) => [key, value === null ? '' : String(value)])
      )
    } catch {
      throw new ProtocolError('Meituan callback body is not valid JSON')
    }
  }
  return Object.fromEntries(new URLSearchParams(request.body))
}

/**
 * Meituan sends no event id. Order, status and timestamp identify a push, plus the
 * courier (a reassignment repeats 20 for the new one, possibly within the same
 * second), as a hash of the phone so no phone number ends up in event ids.
 */
function eventIdOf(params: Record<string, string>, code: string): string {
  const courier = params.courier_phone ? sha256Hex(params.courier_phone).slice(0, 8) : ''
  return [params.mt_peisong_id, code, params.timestamp, courier].filter(Boolean).join(':')
}

/**
 * Callbacks are signed like requests (every field but `sign`), carry the appkey and
 * a unix timestamp; a wrong appkey, a bad signature or a stale timestamp is refused.
 */
export function verifyWebhook(
  request: RawWebhookRequest,
  config: MeituanConfig,
  now: Date
): NormalizedEvent[] {
  const params = callbackParams(request)
  if (params.appkey !== config.appKey) {
    throw new AuthError('Meituan callback is for another appkey', { code: 'wrong_appkey' })
  }
  if (!safeEqual(signParams(params, config.appSecret), params.sign ?? '')) {
    throw new AuthError('Meituan callback signature does not match', { code: 'bad_signature' })
  }
  const timestamp = Number(params.timestamp)
  const tolerance = config.webhookToleranceS ?? 600
  if (!Number.isFinite(timestamp) || Math.abs(now.getTime() / 1000 - timestamp) > tolerance) {
    throw new AuthError(`Meituan callback timestamp is outside the ${tolerance} s window`, {
      code: 'stale_signature',
    })
  }
  const code = params.status ?? ''
  const event: NormalizedEvent = {
    occurredAt: fromMeituanTime(timestamp),
    carrierStatus: code,
    status: mapCarrierStatus(STATUS_MAP, code),
    eventId: eventIdOf(params, code),
    carrierOrderId: carrierOrderIdOf(params.mt_peisong_id ?? '', params.delivery_id ?? ''),
  }
  const rider = riderOf(params.courier_name, params.courier_phone)
  if (rider) event.rider = rider
  if (params.cancel_reason) event.note = params.cancel_reason
  return [event]
}
