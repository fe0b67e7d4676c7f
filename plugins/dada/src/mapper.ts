/**
 * Pure translation between the hub's contract and Dada's open API: business
 * parameters for each call, parsing of `result`, error mapping and callback
 * verification. No I/O, so fixtures test every function without a network.
 */
import {
  AuthError,
  CapacityError,
  InvalidRequestError,
  ProtocolError,
  RejectedError,
  RetryableError,
  mapCarrierStatus,
  safeEqual,
  type CancelResult,
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
import { callbackSignature } from './signature.js'
import {
  CANCEL_REASON_OTHER,
  CANCEL_REASONS,
  CARGO_TYPE_OTHER,
  CARGO_TYPES,
  ERROR_CODES,
  fromDadaCallbackTime,
  fromDadaDateTime,
  fromDadaMoney,
  isWholeJiao,
  PICKUP_ETA_S,
  QUOTE_VALIDITY_S,
  RIDER_SPEED_M_PER_S,
  STATUS_MAP,
  toDadaCoordinate,
  toDadaMoney,
  toDadaTip,
  toDadaWeightKg,
} from './units.js'

export interface DadaConfig {
  baseUrl: string
  appKey: string
  appSecret: string
  sourceId: string
  shopNo: string
  cityCode: string
  callbackUrl: string
  webhookToleranceS?: number
}

/** One Dada call: the path and its business parameters (sent as the `body` JSON string). */
export interface DadaCall {
  path: string
  body: Record<string, unknown>
}

export interface DadaStatus {
  orderId?: string
  statusCode?: number | string
  statusMsg?: string
  transporterName?: string
  transporterPhone?: string
  transporterLat?: string | number
  transporterLng?: string | number
  tips?: number | string
  createTime?: string
  acceptTime?: string
  fetchTime?: string
  finishTime?: string
  cancelTime?: string
}

const withoutEmpty = (body: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined && v !== ''))

/**
 * origin_id is the hub's order id: Dada treats it as the merchant order number and
 * refuses a second live order with the same one, which makes the create retry-safe.
 */
export function buildQuoteRequest(order: HubOrder, config: DadaConfig): DadaCall {
  return {
    path: '/api/order/queryDeliverFee',
    body: withoutEmpty({
      shop_no: config.shopNo,
      origin_id: order.id,
      city_code: config.cityCode,
      cargo_price: toDadaMoney(order.declared_value_fen),
      is_prepay: 0,
      receiver_name: order.recipient.name,
      receiver_address: order.recipient.address,
      receiver_lat: toDadaCoordinate(order.recipient.lat),
      receiver_lng: toDadaCoordinate(order.recipient.lng),
      receiver_phone: order.recipient.phone,
      callback: config.callbackUrl,
      cargo_weight: toDadaWeightKg(order.weight_g),
      cargo_type: CARGO_TYPES[order.category] ?? CARGO_TYPE_OTHER,
      cargo_num: order.item_count,
      tips: order.tip_fen > 0 ? toDadaTip(order.tip_fen) : undefined,
      info: order.notes,
      origin_mark_no: order.external_id,
    }),
  }
}

export function parseQuote(
  result: { distance: number; deliveryNo: string; fee: number | string },
  now: Date
): QuoteResult {
  if (!result.deliveryNo) throw new ProtocolError('Dada quote has no deliveryNo')
  const distanceM = Math.round(Number(result.distance))
  return {
    feeFen: fromDadaMoney(result.fee),
    pickupEtaS: PICKUP_ETA_S,
    dropoffEtaS: PICKUP_ETA_S + Math.round(distanceM / RIDER_SPEED_M_PER_S),
    distanceM,
    quoteToken: result.deliveryNo,
    expiresAt: new Date(now.getTime() + QUOTE_VALIDITY_S * 1000).toISOString(),
  }
}

export function buildCreateRequest(quote: QuoteResult): DadaCall {
  if (!quote.quoteToken) {
    throw new InvalidRequestError('Dada places orders only from a quote (deliveryNo missing)', {
      code: 'missing_delivery_no',
    })
  }
  return { path: '/api/order/addAfterQuery', body: { deliveryNo: quote.quoteToken } }
}

/** Follow-up calls name the order by origin_id, so that is the carrier order id the hub keeps. */
export function parseCreate(
  result: { fee?: number | string } | null,
  order: HubOrder
): CreateResult {
  const fee = result?.fee
  return fee === undefined || fee === null
    ? { carrierOrderId: order.id }
    : { carrierOrderId: order.id, feeFen: fromDadaMoney(fee) }
}

export function buildCancelRequest(ref: CarrierOrderRef, reason: string): DadaCall {
  return {
    path: '/api/order/formalCancel',
    body: {
      order_id: ref.carrierOrderId,
      cancel_reason_id: CANCEL_REASONS[reason] ?? CANCEL_REASON_OTHER,
      cancel_reason: reason,
    },
  }
}

export const parseCancel = (result: { deduct_fee?: number | string } | null): CancelResult => ({
  feeFen: fromDadaMoney(result?.deduct_fee ?? 0),
})

export const buildStatusQuery = (ref: CarrierOrderRef): DadaCall => ({
  path: '/api/order/status/query',
  body: { order_id: ref.carrierOrderId },
})

export function assertTipAmount(amountFen: number): void {
  if (amountFen <= 0 || !isWholeJiao(amountFen)) {
    throw new InvalidRequestError(
      `Dada tips are yuan with one decimal; ${amountFen} fen is not a whole number of jiao`,
      { code: 'invalid_tip_amount' }
    )
  }
}

/**
 * addTip replaces the order's tip with `tips` (it must exceed the previous one), so
 * the hub's "add this much" becomes the current tip from the status query plus it.
 */
export function buildTipRequest(
  ref: CarrierOrderRef,
  status: DadaStatus,
  amountFen: number,
  config: DadaConfig
): DadaCall {
  assertTipAmount(amountFen)
  const currentFen = fromDadaMoney(status.tips ?? 0)
  return {
    path: '/api/order/addTip',
    body: {
      order_id: ref.carrierOrderId,
      tips: toDadaMoney(currentFen + amountFen),
      city_code: config.cityCode,
    },
  }
}

function riderOf(
  name?: string,
  phone?: string,
  lat?: unknown,
  lng?: unknown
): RiderInfo | undefined {
  const rider: RiderInfo = {}
  if (name) rider.name = name
  if (phone) rider.phone = phone
  const latitude = Number(lat)
  const longitude = Number(lng)
  if (lat !== undefined && lat !== '' && Number.isFinite(latitude) && Number.isFinite(longitude)) {
    rider.lat = latitude
    rider.lng = longitude
  }
  return Object.keys(rider).length > 0 ? rider : undefined
}

/** The status query has one timestamp per milestone; each present one becomes an event. */
export function parseTrack(result: DadaStatus, now: Date): StatusEvent[] {
  const rider = riderOf(result.transporterName, result.transporterPhone)
  const milestones: Array<[string, string | undefined]> = [
    ['1', result.createTime],
    ['2', result.acceptTime],
    ['3', result.fetchTime],
    ['4', result.finishTime],
    ['5', result.cancelTime],
  ]
  const events: StatusEvent[] = []
  for (const [code, time] of milestones) {
    const occurredAt = fromDadaDateTime(time)
    if (!occurredAt) continue
    const event: StatusEvent = { occurredAt, carrierStatus: code, status: STATUS_MAP[code] }
    if (rider && code !== '1') event.rider = rider
    events.push(event)
  }
  const current = String(result.statusCode ?? '')
  if (current && events.at(-1)?.carrierStatus !== current) {
    const event: StatusEvent = {
      occurredAt: now.toISOString(),
      carrierStatus: current,
      status: mapCarrierStatus(STATUS_MAP, current),
    }
    if (rider) event.rider = rider
    events.push(event)
  }
  return events
}

export function parseRiderLocation(result: DadaStatus, now: Date): RiderLocation {
  const rider = riderOf(undefined, undefined, result.transporterLat, result.transporterLng)
  if (rider?.lat === undefined || rider.lng === undefined) {
    throw new InvalidRequestError('Dada reports no rider position for this order yet', {
      code: 'no_rider_position',
    })
  }
  return { lat: rider.lat, lng: rider.lng, at: now.toISOString() }
}

function errorFor(code: number, message: string, httpStatus: number): CarrierError {
  const options = { code: String(code), carrierMessage: message }
  switch (code) {
    case ERROR_CODES.badAppKey:
    case ERROR_CODES.badSignature:
    case ERROR_CODES.badTimestamp:
    case ERROR_CODES.badSourceId:
      return new AuthError(`Dada refused the credentials: ${message}`, options)
    case ERROR_CODES.noCapacity:
      return new CapacityError(`Dada has no rider available: ${message}`, options)
    case ERROR_CODES.outOfRange:
    case ERROR_CODES.insufficientBalance:
    case ERROR_CODES.cannotCancel:
      return new RejectedError(`Dada refused: ${message}`, options)
    case ERROR_CODES.missingParams:
    case ERROR_CODES.orderNotFound:
    case ERROR_CODES.duplicateOrder:
    case ERROR_CODES.deliveryNoExpired:
      return new InvalidRequestError(`Dada rejected the request: ${message}`, options)
    case ERROR_CODES.systemError:
      return new RetryableError(`Dada system error: ${message}`, options)
    default:
      return httpStatus >= 500
        ? new RetryableError(`Dada API error ${httpStatus}: ${message}`, options)
        : new ProtocolError(
            `Unexpected Dada answer (HTTP ${httpStatus}, code ${code}): ${message}`,
            options
          )
  }
}

/** Unwraps `{status, code, msg, result}`; anything but status "success" / code 0 is a typed error. */
export function parseEnvelope<T>(httpStatus: number, text: string): T {
  let envelope: { status?: unknown; code?: unknown; msg?: unknown; result?: unknown }
  try {
    envelope = JSON.parse(text)
  } catch {
    if (httpStatus >= 500)
      throw new RetryableError(`Dada API error ${httpStatus}`, { code: `http_${httpStatus}` })
    throw new ProtocolError(`Dada answered non-JSON (HTTP ${httpStatus})`, {
      carrierMessage: text.slice(0, 200),
    })
  }
  const code = envelope.code === undefined ? Number.NaN : Number(envelope.code)
  const message = typeof envelope.msg === 'string' ? envelope.msg : ''
  if (code !== ERROR_CODES.ok || envelope.status === 'fail' || httpStatus >= 400) {
    throw errorFor(Number.isNaN(code) ? -2 : code, message, httpStatus)
  }
  return (envelope.result ?? null) as T
}

/**
 * Dada sends no event id. Order, status and update_time identify a push, plus the
 * rider: a reassignment re-sends 2 for the new rider, possibly within the same second.
 */
const eventIdOf = (orderId: unknown, status: string, updateTime: unknown, riderId: unknown) =>
  [orderId, status, updateTime, riderId]
    .filter((part) => part !== undefined && part !== '')
    .join(':')

interface DadaCallback {
  client_id?: string | number
  order_id?: string | number
  order_status?: string | number
  cancel_reason?: string
  update_time?: string | number
  signature?: string
  dm_id?: string | number
  dm_name?: string
  dm_mobile?: string
}

/**
 * Dada POSTs the order state as JSON. Its signature is an unkeyed MD5 over
 * client_id, order_id and update_time, so besides checking it the plugin refuses
 * callbacks whose update_time is outside the tolerance window.
 */
export function verifyWebhook(
  request: RawWebhookRequest,
  config: DadaConfig,
  now: Date
): NormalizedEvent[] {
  let payload: DadaCallback
  try {
    payload = JSON.parse(request.body)
  } catch {
    throw new ProtocolError('Dada callback body is not JSON')
  }
  const { client_id: clientId, order_id: orderId, update_time: updateTime } = payload
  if (clientId === undefined || orderId === undefined || updateTime === undefined) {
    throw new AuthError('Dada callback lacks client_id, order_id or update_time', {
      code: 'bad_signature',
    })
  }
  const expected = callbackSignature({
    client_id: clientId,
    order_id: orderId,
    update_time: updateTime,
  })
  if (!safeEqual(expected, String(payload.signature ?? ''))) {
    throw new AuthError('Dada callback signature does not match', { code: 'bad_signature' })
  }
  const status = String(payload.order_status ?? '')
  const occurredAt = fromDadaCallbackTime(updateTime, status)
  const tolerance = config.webhookToleranceS ?? 900
  if (Math.abs(now.getTime() - Date.parse(occurredAt)) > tolerance * 1000) {
    throw new AuthError(`Dada callback update_time is outside the ${tolerance} s window`, {
      code: 'stale_signature',
    })
  }
  const event: NormalizedEvent = {
    occurredAt,
    carrierStatus: status,
    status: mapCarrierStatus(STATUS_MAP, status),
    eventId: eventIdOf(orderId, status, updateTime, payload.dm_id),
    carrierOrderId: String(orderId),
  }
  const rider = riderOf(payload.dm_name, payload.dm_mobile)
  if (rider) event.rider = rider
  if (payload.cancel_reason) event.note = payload.cancel_reason
  return [event]
}
