/**
 * Pure translation between the hub's contract and UU Paotui's v2_0 open platform:
 * build business parameters, sign, parse answers, verify callbacks. No I/O here.
 *
 * Every call is a form POST to `/v2_0/<call>.ashx` of flat string parameters plus
 * `appid, openid, nonce_str, timestamp, sign`; answers are flat JSON with
 * `return_code` ("ok" or an error code) and `return_msg`.
 */
import {
  AuthError,
  CapacityError,
  InvalidRequestError,
  joinSortedQuery,
  mapCarrierStatus,
  md5Hex,
  ProtocolError,
  RejectedError,
  RetryableError,
  safeEqual,
  upper,
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
  type SignableValue,
  type StatusEvent,
} from '../../sdk/index.js'
import {
  AUTH_CODES,
  CAPACITY_CODES,
  DEFAULT_QUOTE_VALIDITY_S,
  fromUuMoney,
  fromUuPoint,
  fromUuTimestamp,
  INVALID_CODES,
  PICKUP_ESTIMATE_S,
  PUSH_TYPE_OPEN,
  REJECTED_CODES,
  RETRYABLE_CODES,
  RETURN_OK,
  RUNNER_SPEED_M_PER_S,
  SEND_TYPE_DELIVER,
  STATUS_MAP,
  toUuMoney,
  toUuPoint,
} from './units.js'

export interface UuConfig {
  baseUrl: string
  appId: string
  appKey: string
  openId: string
  callbackUrl: string
}

export type UuCall =
  | 'getorderprice'
  | 'addorder'
  | 'gethomeservicefee'
  | 'cancelorder'
  | 'payonlinefee'
  | 'getorderdetail'

export interface UuRequest {
  call: UuCall
  params: Record<string, string>
}

/**
 * `UPPER(MD5(UPPER("k1=v1&k2=v2&…&key=" + appKey)))`: keys in ASCII order, `sign` and
 * empty values left out, the whole string upper-cased before hashing.
 */
export function sign(params: Record<string, SignableValue>, appKey: string): string {
  return upper(md5Hex(upper(`${joinSortedQuery(params)}&key=${appKey}`)))
}

/** Adds the common parameters and the signature; the result is the form to send. */
export function signedForm(
  config: UuConfig,
  params: Record<string, string>,
  nonce: string,
  timestamp: number
): Record<string, string> {
  const all: Record<string, string> = {
    ...params,
    appid: config.appId,
    openid: config.openId,
    nonce_str: nonce,
    timestamp: String(timestamp),
  }
  return { ...all, sign: sign(all, config.appKey) }
}

export function buildQuoteRequest(order: HubOrder): UuRequest {
  const from = toUuPoint(order.store)
  const to = toUuPoint(order.recipient)
  return {
    call: 'getorderprice',
    params: {
      origin_id: order.id,
      city_name: order.store.city,
      from_address: order.store.address,
      from_lat: from.lat,
      from_lng: from.lng,
      to_address: order.recipient.address,
      to_lat: to.lat,
      to_lng: to.lng,
      send_type: String(SEND_TYPE_DELIVER),
    },
  }
}

/**
 * addorder wants both the pre-discount total and the amount paid, but the hub hands
 * back only the quote; so the token carries `price_token:total_money_fen`.
 */
export const encodeQuoteToken = (priceToken: string, totalMoneyFen: number) =>
  `${priceToken}:${totalMoneyFen}`

export function decodeQuoteToken(token: string): { priceToken: string; totalMoneyFen: number } {
  const separator = token.lastIndexOf(':')
  const totalMoneyFen = Number(token.slice(separator + 1))
  if (separator <= 0 || !Number.isSafeInteger(totalMoneyFen)) {
    throw new InvalidRequestError('Not a UU quote token', { code: 'bad_quote_token' })
  }
  return { priceToken: token.slice(0, separator), totalMoneyFen }
}

export function parseQuote(
  answer: {
    price_token: string
    total_money: string
    need_paymoney: string
    distance: string | number
    expires_in?: string | number
  },
  now: Date
): QuoteResult {
  const distanceM = Number(answer.distance)
  const validityS = Number(answer.expires_in ?? DEFAULT_QUOTE_VALIDITY_S)
  return {
    feeFen: fromUuMoney(answer.need_paymoney),
    pickupEtaS: PICKUP_ESTIMATE_S,
    dropoffEtaS: PICKUP_ESTIMATE_S + Math.round(distanceM / RUNNER_SPEED_M_PER_S),
    distanceM,
    quoteToken: encodeQuoteToken(answer.price_token, fromUuMoney(answer.total_money)),
    expiresAt: new Date(now.getTime() + validityS * 1000).toISOString(),
  }
}

/** A retried addorder reuses the price_token, which UU honours once. */
export function buildCreateRequest(
  order: HubOrder,
  quote: QuoteResult,
  config: UuConfig
): UuRequest {
  const { priceToken, totalMoneyFen } = decodeQuoteToken(quote.quoteToken)
  return {
    call: 'addorder',
    params: {
      price_token: priceToken,
      order_price: toUuMoney(totalMoneyFen),
      balance_paymoney: toUuMoney(quote.feeFen),
      receiver: order.recipient.name,
      receiver_phone: order.recipient.phone,
      note: order.notes,
      callback_url: config.callbackUrl,
      push_type: String(PUSH_TYPE_OPEN),
      special_type: '0',
      callme_withtake: '0',
    },
  }
}

export const parseCreate = (answer: { ordercode: string }): CreateResult => ({
  carrierOrderId: String(answer.ordercode),
})

const byOrder = (ref: CarrierOrderRef) => ({
  order_code: ref.carrierOrderId,
  origin_id: ref.orderId,
})

export const buildPreCancelRequest = (ref: CarrierOrderRef): UuRequest => ({
  call: 'gethomeservicefee',
  params: byOrder(ref),
})

export const parsePreCancel = (answer: { deduct_fee?: string }): PreCancelResult => ({
  feeFen: fromUuMoney(answer.deduct_fee ?? '0'),
})

export const buildCancelRequest = (ref: CarrierOrderRef, reason: string): UuRequest => ({
  call: 'cancelorder',
  params: { ...byOrder(ref), reason },
})

export const buildTipRequest = (ref: CarrierOrderRef, amountFen: number): UuRequest => ({
  call: 'payonlinefee',
  params: { ...byOrder(ref), onlinefee: toUuMoney(amountFen) },
})

export const buildTrackRequest = (ref: CarrierOrderRef): UuRequest => ({
  call: 'getorderdetail',
  params: byOrder(ref),
})

interface UuRunnerFields {
  driver_name?: string
  driver_mobile?: string
  /** "lng,lat" in BD-09. */
  driver_lastloc?: string
}

function runnerPoint(location: string | undefined) {
  const [lng, lat] = (location ?? '').split(',')
  return lng && lat ? fromUuPoint(lat, lng) : undefined
}

function toRider(fields: UuRunnerFields): RiderInfo | undefined {
  const rider: RiderInfo = {}
  if (fields.driver_name) rider.name = fields.driver_name
  if (fields.driver_mobile) rider.phone = fields.driver_mobile
  const point = runnerPoint(fields.driver_lastloc)
  if (point) Object.assign(rider, point)
  return Object.keys(rider).length > 0 ? rider : undefined
}

function statusEvent(
  state: string | number,
  timestamp: string | number,
  fields: UuRunnerFields,
  note?: string
): StatusEvent {
  const event: StatusEvent = {
    occurredAt: fromUuTimestamp(timestamp),
    carrierStatus: String(state),
    status: mapCarrierStatus(STATUS_MAP, state),
  }
  const rider = toRider(fields)
  if (rider) event.rider = rider
  if (note) event.note = note
  return event
}

type UuDetail = UuRunnerFields & { state: string; state_text?: string; timestamp: string }

/** getorderdetail answers the current state; the answer's timestamp is the "as of" time. */
export const parseTrack = (answer: UuDetail): StatusEvent[] => [
  statusEvent(answer.state, answer.timestamp, answer, answer.state_text),
]

/** UU has no position call; getorderdetail's driver_lastloc is the runner's last fix. */
export const buildRiderLocationRequest = buildTrackRequest

export function parseRiderLocation(answer: UuDetail): RiderLocation {
  const point = runnerPoint(answer.driver_lastloc)
  if (!point) throw new ProtocolError('UU has no runner position yet', { code: 'no_position' })
  return { ...point, at: fromUuTimestamp(answer.timestamp) }
}

function errorFor(code: string, message: string, httpStatus: number): CarrierError {
  const options = { code, carrierMessage: message }
  if (AUTH_CODES.includes(code))
    return new AuthError(`UU refused the credentials: ${message}`, options)
  if (CAPACITY_CODES.includes(code))
    return new CapacityError(`UU has no runner: ${message}`, options)
  if (REJECTED_CODES.includes(code))
    return new RejectedError(`UU refused the order: ${message}`, options)
  if (INVALID_CODES.includes(code))
    return new InvalidRequestError(`UU rejected the request: ${message}`, options)
  if (RETRYABLE_CODES.includes(code) || httpStatus >= 500)
    return new RetryableError(`UU is unavailable: ${message}`, options)
  return new ProtocolError(
    `Unexpected UU answer (HTTP ${httpStatus}, ${code}): ${message}`,
    options
  )
}

/** Checks `return_code`; any value but "ok" becomes the matching typed error. */
export function parseAnswer<T>(httpStatus: number, text: string): T {
  let answer: { return_code?: unknown; return_msg?: unknown }
  try {
    answer = JSON.parse(text)
  } catch {
    if (httpStatus >= 500)
      throw new RetryableError(`UU error ${httpStatus}`, { code: `http_${httpStatus}` })
    throw new ProtocolError(`UU answered non-JSON (HTTP ${httpStatus})`, {
      carrierMessage: text.slice(0, 200),
    })
  }
  const code = String(answer.return_code ?? '')
  const message = typeof answer.return_msg === 'string' ? answer.return_msg : ''
  if (code !== RETURN_OK || httpStatus >= 400) throw errorFor(code, message, httpStatus)
  return answer as T
}

type UuCallback = UuRunnerFields & {
  appid: string
  order_code: string
  origin_id?: string
  state: string
  state_text?: string
  timestamp: string
  sign: string
  [field: string]: unknown
}

/**
 * UU posts callbacks as JSON signed like requests, over every non-empty field but
 * `sign`. No timestamp window: UU retries, and the event id comes from signed fields.
 */
export function verifyWebhook(request: RawWebhookRequest, config: UuConfig): NormalizedEvent[] {
  let payload: UuCallback
  try {
    payload = JSON.parse(request.body)
  } catch {
    throw new AuthError('Callback body is not JSON', { code: 'bad_signature' })
  }
  if (payload.appid !== config.appId || typeof payload.sign !== 'string') {
    throw new AuthError('Callback is not for this UU app', { code: 'bad_signature' })
  }
  const fields = Object.fromEntries(
    Object.entries(payload).map(([key, value]) => [key, value as SignableValue])
  )
  if (!safeEqual(sign(fields, config.appKey), upper(payload.sign))) {
    throw new AuthError('Callback signature does not match', { code: 'bad_signature' })
  }
  return [
    {
      // state_text only says something beyond the code when the order was cancelled.
      ...statusEvent(
        payload.state,
        payload.timestamp,
        payload,
        String(payload.state) === '-1' ? payload.state_text : undefined
      ),
      eventId: `${payload.order_code}:${payload.state}:${payload.timestamp}`,
      carrierOrderId: String(payload.order_code),
    },
  ]
}
