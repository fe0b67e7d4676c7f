/**
 * Pure translation between the hub's contract and Shansong's merchants/v5 open
 * platform: build business payloads, sign, parse results, verify callbacks. No I/O.
 *
 * Every call is a form POST of `clientId, shopId, timestamp (ms), sign, data`, where
 * `data` is the compact JSON business payload and the signature covers it verbatim.
 */
import {
  AuthError,
  CapacityError,
  InvalidRequestError,
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
  type StatusEvent,
} from '../../sdk/index.js'
import {
  ADDITION_MAX_FEN,
  ADDITION_STEP_FEN,
  APPOINT_NOW,
  fromShansongMoney,
  fromShansongPoint,
  fromShansongTime,
  goodTypeFor,
  QUOTE_VALIDITY_S,
  STATUS_CODES,
  STATUS_MAP,
  toShansongPoint,
  toShansongWeightKg,
} from './units.js'

export interface ShansongConfig {
  baseUrl: string
  clientId: string
  shopId: string
  appSecret: string
}

export type ShansongCall =
  | 'orderCalculate'
  | 'orderPlace'
  | 'preAbortOrder'
  | 'abortOrder'
  | 'addition'
  | 'orderInfo'
  | 'courierInfo'

export interface ShansongRequest {
  call: ShansongCall
  data: Record<string, unknown>
}

/** The signed system parameters of one request or callback. */
export interface SignedParams {
  clientId: string
  shopId: string
  timestamp: string
  data: string
}

/**
 * `UPPER(MD5(appSecret + "clientId"+clientId + "data"+data + "shopId"+shopId + "timestamp"+timestamp))`:
 * keys in ASCII order, each followed by its value, `data` left out when empty
 * (as in Shansong's official iss-open-cli).
 */
export function sign(appSecret: string, params: SignedParams): string {
  const data = params.data === '' ? '' : `data${params.data}`
  return upper(
    md5Hex(
      `${appSecret}clientId${params.clientId}${data}shopId${params.shopId}timestamp${params.timestamp}`
    )
  )
}

/** The form body: system parameters, the signature, and `data` when there is one. */
export function formBody(config: ShansongConfig, data: string, timestampMs: number): string {
  const params: SignedParams = {
    clientId: config.clientId,
    shopId: config.shopId,
    timestamp: String(timestampMs),
    data,
  }
  const form = new URLSearchParams({
    clientId: params.clientId,
    shopId: params.shopId,
    timestamp: params.timestamp,
    sign: sign(config.appSecret, params),
  })
  if (data !== '') form.set('data', data)
  return form.toString()
}

const byOrder = (ref: CarrierOrderRef) => ({ issOrderNo: ref.carrierOrderId })

export function buildQuoteRequest(order: HubOrder): ShansongRequest {
  const from = toShansongPoint(order.store)
  const to = toShansongPoint(order.recipient)
  return {
    call: 'orderCalculate',
    data: {
      cityName: order.store.city,
      appointType: APPOINT_NOW,
      sender: {
        fromAddress: order.store.address,
        fromSenderName: order.store.contact_name,
        fromMobile: order.store.contact_phone,
        fromLatitude: from.lat,
        fromLongitude: from.lng,
      },
      receiverList: [
        {
          // The third-party order number; orderInfo takes it back as thirdOrderNo.
          orderNo: order.id,
          toAddress: order.recipient.address,
          toLatitude: to.lat,
          toLongitude: to.lng,
          toReceiverName: order.recipient.name,
          toMobile: order.recipient.phone,
          goodType: goodTypeFor(order.category),
          weight: toShansongWeightKg(order.weight_g),
          remarks: order.notes,
        },
      ],
    },
  }
}

export function parseQuote(
  data: {
    orderNumber: string
    totalDistance: number
    totalAmount: number
    totalFeeAfterSave?: number
    estimateGrabSecond?: number
    estimateReceiveSecond?: number
  },
  now: Date
): QuoteResult {
  return {
    feeFen: fromShansongMoney(data.totalFeeAfterSave ?? data.totalAmount),
    // Shansong estimates the time to a courier's acceptance, not to pickup.
    pickupEtaS: data.estimateGrabSecond ?? 0,
    dropoffEtaS: data.estimateReceiveSecond ?? 0,
    distanceM: data.totalDistance,
    quoteToken: data.orderNumber,
    expiresAt: new Date(now.getTime() + QUOTE_VALIDITY_S * 1000).toISOString(),
  }
}

/** orderPlace takes only the quote's number, so placing it twice places one order. */
export const buildCreateRequest = (quote: QuoteResult): ShansongRequest => ({
  call: 'orderPlace',
  data: { issOrderNo: quote.quoteToken },
})

export function parseCreate(
  data: { orderNumber?: string; totalFeeAfterSave?: number; totalAmount?: number },
  quote: QuoteResult
): CreateResult {
  const fee = data.totalFeeAfterSave ?? data.totalAmount
  const created: CreateResult = { carrierOrderId: data.orderNumber || quote.quoteToken }
  if (fee !== undefined) created.feeFen = fromShansongMoney(fee)
  return created
}

export const buildPreCancelRequest = (ref: CarrierOrderRef): ShansongRequest => ({
  call: 'preAbortOrder',
  data: byOrder(ref),
})

export const parsePreCancel = (data: { deductAmount?: number }): PreCancelResult => ({
  feeFen: fromShansongMoney(data.deductAmount ?? 0),
})

/** deductFlag true: the merchant accepts the deduction, else an abort after pickup fails. */
export const buildCancelRequest = (ref: CarrierOrderRef): ShansongRequest => ({
  call: 'abortOrder',
  data: { ...byOrder(ref), deductFlag: true },
})

/** The merchant pays the deduction plus the return trip when goods come back. */
export const parseCancel = (data: { deductAmount?: number; sendBackFee?: number }) => ({
  feeFen: fromShansongMoney((data.deductAmount ?? 0) + (data.sendBackFee ?? 0)),
})

export function buildTipRequest(ref: CarrierOrderRef, amountFen: number): ShansongRequest {
  if (
    !Number.isInteger(amountFen) ||
    amountFen <= 0 ||
    amountFen % ADDITION_STEP_FEN !== 0 ||
    amountFen > ADDITION_MAX_FEN
  ) {
    throw new InvalidRequestError(
      `Shansong takes additions in whole yuan up to ${ADDITION_MAX_FEN / 100} yuan, not ${amountFen} fen`,
      { code: 'addition_amount' }
    )
  }
  return { call: 'addition', data: { ...byOrder(ref), additionAmount: amountFen } }
}

export const buildTrackRequest = (ref: CarrierOrderRef): ShansongRequest => ({
  call: 'orderInfo',
  data: { ...byOrder(ref), thirdOrderNo: ref.orderId },
})

interface ShansongCourier {
  name?: string
  mobile?: string
  latitude?: string
  longitude?: string
  gcj02Lat?: string
  gcj02Lng?: string
  time?: string
}

/** Prefers Shansong's own GCJ-02 copy of the position; converts BD-09 otherwise. */
function courierPoint(courier: ShansongCourier): { lat: number; lng: number } | undefined {
  if (courier.gcj02Lat && courier.gcj02Lng)
    return { lat: Number(courier.gcj02Lat), lng: Number(courier.gcj02Lng) }
  if (courier.latitude && courier.longitude)
    return fromShansongPoint(courier.latitude, courier.longitude)
  return undefined
}

function toRider(courier: ShansongCourier | undefined): RiderInfo | undefined {
  if (!courier) return undefined
  const rider: RiderInfo = {}
  if (courier.name) rider.name = courier.name
  if (courier.mobile) rider.phone = courier.mobile
  const point = courierPoint(courier)
  if (point) Object.assign(rider, point)
  return Object.keys(rider).length > 0 ? rider : undefined
}

function statusEvent(
  code: number | string,
  time: string,
  courier?: ShansongCourier,
  note?: string
): StatusEvent {
  const event: StatusEvent = {
    occurredAt: fromShansongTime(time),
    carrierStatus: String(code),
    status: mapCarrierStatus(STATUS_MAP, code),
  }
  const rider = toRider(courier)
  if (rider) event.rider = rider
  if (note) event.note = note
  return event
}

/** The status change log, oldest first; the courier rides along on the latest event. */
export function parseTrack(data: {
  orderStatus: number
  courier?: ShansongCourier
  statusChangeLog?: { orderStatus: number; updateTime: string }[]
  abortInfo?: { abortReason?: string }
}): StatusEvent[] {
  const log = data.statusChangeLog ?? []
  return log.map((entry, index) =>
    index === log.length - 1
      ? statusEvent(entry.orderStatus, entry.updateTime, data.courier, data.abortInfo?.abortReason)
      : statusEvent(entry.orderStatus, entry.updateTime)
  )
}

export const buildRiderLocationRequest = (ref: CarrierOrderRef): ShansongRequest => ({
  call: 'courierInfo',
  data: byOrder(ref),
})

export function parseRiderLocation(data: ShansongCourier): RiderLocation {
  const point = courierPoint(data)
  if (!point || !data.time)
    throw new ProtocolError('Shansong courierInfo has no position yet', { code: 'no_position' })
  return { ...point, at: fromShansongTime(data.time) }
}

function errorFor(status: number, message: string, httpStatus: number): CarrierError {
  const options = { code: String(status), carrierMessage: message }
  switch (status) {
    case STATUS_CODES.badSignature:
    case STATUS_CODES.forbidden:
      return new AuthError(`Shansong refused the credentials: ${message}`, options)
    case STATUS_CODES.noCourier:
      return new CapacityError(`Shansong has no courier available: ${message}`, options)
    case STATUS_CODES.outOfServiceArea:
    case STATUS_CODES.cannotAbort:
    case STATUS_CODES.insufficientBalance:
      return new RejectedError(`Shansong refused the order: ${message}`, options)
    case STATUS_CODES.invalidParams:
    case STATUS_CODES.orderNotFound:
    case STATUS_CODES.quoteExpired:
      return new InvalidRequestError(`Shansong rejected the request: ${message}`, options)
    case STATUS_CODES.rateLimited:
    case STATUS_CODES.systemError:
      return new RetryableError(`Shansong is unavailable: ${message}`, options)
    default:
      return httpStatus >= 500
        ? new RetryableError(`Shansong error ${httpStatus}: ${message}`, options)
        : new ProtocolError(
            `Unexpected Shansong answer (HTTP ${httpStatus}, status ${status}): ${message}`,
            options
          )
  }
}

/** Unwraps `{status, msg, data}`; any status but 200 becomes the matching typed error. */
export function parseEnvelope<T>(httpStatus: number, text: string): T {
  let envelope: { status?: unknown; msg?: unknown; data?: unknown }
  try {
    envelope = JSON.parse(text)
  } catch {
    if (httpStatus >= 500)
      throw new RetryableError(`Shansong error ${httpStatus}`, { code: `http_${httpStatus}` })
    throw new ProtocolError(`Shansong answered non-JSON (HTTP ${httpStatus})`, {
      carrierMessage: text.slice(0, 200),
    })
  }
  const status = Number(envelope.status ?? -1)
  const message = typeof envelope.msg === 'string' ? envelope.msg : ''
  if (status !== STATUS_CODES.ok || httpStatus >= 400) throw errorFor(status, message, httpStatus)
  return (envelope.data ?? {}) as T
}

interface ShansongCallbackData {
  issOrderNo: string
  orderNo?: string
  status: number
  statusDesc?: string
  updateTime: string
  courier?: ShansongCourier
  abortReason?: string
}

/**
 * Callbacks arrive in the request envelope (form: clientId, shopId, timestamp, sign,
 * data) and are verified with the same recipe. No timestamp window: Shansong retries
 * for hours; the event id comes from the signed data, so a replay de-duplicates.
 */
export function verifyWebhook(
  request: RawWebhookRequest,
  config: ShansongConfig
): NormalizedEvent[] {
  const form = new URLSearchParams(request.body)
  const params: SignedParams = {
    clientId: form.get('clientId') ?? '',
    shopId: form.get('shopId') ?? '',
    timestamp: form.get('timestamp') ?? '',
    data: form.get('data') ?? '',
  }
  const given = form.get('sign') ?? ''
  if (params.clientId !== config.clientId || !given) {
    throw new AuthError('Callback is not for this Shansong client', { code: 'bad_signature' })
  }
  if (!safeEqual(sign(config.appSecret, params), upper(given))) {
    throw new AuthError('Callback signature does not match', { code: 'bad_signature' })
  }
  let payload: ShansongCallbackData
  try {
    payload = JSON.parse(params.data)
  } catch {
    throw new ProtocolError('Callback data is not JSON')
  }
  return [
    {
      ...statusEvent(payload.status, payload.updateTime, payload.courier, payload.abortReason),
      eventId: `${payload.issOrderNo}:${payload.status}:${payload.updateTime}`,
      carrierOrderId: payload.issOrderNo,
    },
  ]
}
