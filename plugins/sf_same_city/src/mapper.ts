/**
 * Pure translation between the hub's contract and SF Same-city's open platform:
 * build request bodies, parse results, sign, verify callbacks. No I/O here.
 *
 * Every call is `POST /open/api/external/<call>?sign=<sign>` with a JSON body that
 * carries `dev_id` and `push_time`; the signature covers the exact body text, so the
 * client must send the very string it signed.
 */
import {
  AuthError,
  base64Encode,
  CapacityError,
  InvalidRequestError,
  mapCarrierStatus,
  md5Hex,
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
import {
  API_VERSION,
  CANCEL_CODE_MERCHANT,
  ERROR_CODES,
  fromSfCoordinate,
  fromSfMoney,
  fromSfTime,
  LBS_TYPE_GCJ02,
  ORDER_TYPE_SF_ID,
  productTypeFor,
  QUOTE_VALIDITY_S,
  STATUS_MAP,
  toSfCoordinate,
  toSfMoney,
} from './units.js'

export interface SfConfig {
  baseUrl: string
  devId: string
  devKey: string
  shopId: string
  shopType?: 1 | 2
  orderSource?: string
}

export type SfCall =
  | 'precreateorder'
  | 'createorder'
  | 'precancelorder'
  | 'cancelorder'
  | 'addordergratuityfee'
  | 'getorderstatus'
  | 'riderlatestposition'

export interface SfRequest {
  call: SfCall
  body: Record<string, unknown>
}

/** `base64(md5hex(body + "&" + dev_id + "&" + dev_key))`: base64 of the 32 hex characters. */
export function sign(body: string, devId: string, devKey: string): string {
  return base64Encode(md5Hex(`${body}&${devId}&${devKey}`))
}

/** dev_id first and push_time last, the order SF's own SDK examples use. */
function withSystemFields(
  config: SfConfig,
  pushTime: number,
  fields: Record<string, unknown>
): Record<string, unknown> {
  return { dev_id: Number(config.devId), ...fields, push_time: pushTime }
}

/**
 * The sending store. Platform developers pass it with each order, since one account
 * serves many stores; SF otherwise uses the store registered under shop_id.
 */
const shopOf = (order: HubOrder) => ({
  shop_name: order.store.name,
  shop_phone: order.store.contact_phone,
  shop_address: order.store.address,
  shop_lng: toSfCoordinate(order.store.lng),
  shop_lat: toSfCoordinate(order.store.lat),
})

const orderRef = (ref: CarrierOrderRef) => ({
  order_id: ref.carrierOrderId,
  order_type: ORDER_TYPE_SF_ID,
})

export function buildQuoteRequest(order: HubOrder, config: SfConfig, pushTime: number): SfRequest {
  return {
    call: 'precreateorder',
    body: withSystemFields(config, pushTime, {
      shop_id: config.shopId,
      shop_type: config.shopType ?? 1,
      shop: shopOf(order),
      city_name: order.recipient.city,
      user_address: order.recipient.address,
      user_lng: toSfCoordinate(order.recipient.lng),
      user_lat: toSfCoordinate(order.recipient.lat),
      lbs_type: LBS_TYPE_GCJ02,
      weight: order.weight_g,
      product_type: productTypeFor(order.category),
      total_price: toSfMoney(order.declared_value_fen),
      is_appoint: 0,
      pay_type: 1,
      is_insured: 0,
      is_person_direct: 0,
    }),
  }
}

export function parseQuote(result: {
  total_price: number
  real_pay_money?: number
  delivery_distance_meter: number
  expect_pickup_time?: number
  expect_time: number
  push_time: number
}): QuoteResult {
  const since = (time: number | undefined) =>
    Math.max(0, (time ?? result.push_time) - result.push_time)
  return {
    feeFen: fromSfMoney(result.real_pay_money ?? result.total_price),
    pickupEtaS: since(result.expect_pickup_time),
    dropoffEtaS: since(result.expect_time),
    distanceM: result.delivery_distance_meter,
    quoteToken: '',
    expiresAt: fromSfTime(result.push_time + QUOTE_VALIDITY_S),
  }
}

/** shop_order_id is SF's duplicate guard, so the hub's idempotency key goes there. */
export function buildCreateRequest(
  order: HubOrder,
  idempotencyKey: string,
  config: SfConfig,
  pushTime: number
): SfRequest {
  return {
    call: 'createorder',
    body: withSystemFields(config, pushTime, {
      shop_id: config.shopId,
      shop_type: config.shopType ?? 1,
      shop: shopOf(order),
      shop_order_id: idempotencyKey,
      order_source: config.orderSource ?? 'courier-hub',
      order_sequence: order.external_id,
      lbs_type: LBS_TYPE_GCJ02,
      pay_type: 1,
      order_time: pushTime,
      is_appoint: 0,
      is_insured: 0,
      is_person_direct: 0,
      version: API_VERSION,
      remark: order.notes,
      gratuity_fee: toSfMoney(order.tip_fen),
      receive: {
        user_name: order.recipient.name,
        user_phone: order.recipient.phone,
        user_address: order.recipient.address,
        city_name: order.recipient.city,
        user_lng: toSfCoordinate(order.recipient.lng),
        user_lat: toSfCoordinate(order.recipient.lat),
      },
      order_detail: {
        total_price: toSfMoney(order.declared_value_fen),
        product_type: productTypeFor(order.category),
        weight_gram: order.weight_g,
        product_num: order.item_count,
        product_type_num: 1,
        product_detail: [{ product_name: order.items_summary, product_num: order.item_count }],
      },
    }),
  }
}

export function parseCreate(result: {
  sf_order_id: string
  total_price?: number
  real_pay_money?: number
}): CreateResult {
  const fee = result.real_pay_money ?? result.total_price
  const created: CreateResult = { carrierOrderId: String(result.sf_order_id) }
  if (fee !== undefined) created.feeFen = fromSfMoney(fee)
  return created
}

interface DeductionDetail {
  deduction_detail?: { deduction_fee?: number }
}

const deductionFee = (result: DeductionDetail) =>
  fromSfMoney(result.deduction_detail?.deduction_fee ?? 0)

export const buildPreCancelRequest = (
  ref: CarrierOrderRef,
  config: SfConfig,
  pushTime: number
): SfRequest => ({
  call: 'precancelorder',
  body: withSystemFields(config, pushTime, orderRef(ref)),
})

export const parsePreCancel = (result: DeductionDetail): PreCancelResult => ({
  feeFen: deductionFee(result),
})

export const buildCancelRequest = (
  ref: CarrierOrderRef,
  reason: string,
  config: SfConfig,
  pushTime: number
): SfRequest => ({
  call: 'cancelorder',
  body: withSystemFields(config, pushTime, {
    ...orderRef(ref),
    cancel_code: CANCEL_CODE_MERCHANT,
    cancel_reason: reason,
  }),
})

export const parseCancel = (result: DeductionDetail) => ({ feeFen: deductionFee(result) })

export const buildTipRequest = (
  ref: CarrierOrderRef,
  amountFen: number,
  config: SfConfig,
  pushTime: number
): SfRequest => ({
  call: 'addordergratuityfee',
  body: withSystemFields(config, pushTime, {
    ...orderRef(ref),
    gratuity_fee: toSfMoney(amountFen),
  }),
})

export const buildTrackRequest = (
  ref: CarrierOrderRef,
  config: SfConfig,
  pushTime: number
): SfRequest => ({
  call: 'getorderstatus',
  body: withSystemFields(config, pushTime, orderRef(ref)),
})

interface SfRiderFields {
  rider_name?: string
  rider_phone?: string
  rider_lng?: number | string
  rider_lat?: number | string
}

function toRider(fields: SfRiderFields): RiderInfo | undefined {
  const rider: RiderInfo = {}
  if (fields.rider_name) rider.name = fields.rider_name
  if (fields.rider_phone) rider.phone = fields.rider_phone
  if (fields.rider_lat && fields.rider_lng) {
    rider.lat = fromSfCoordinate(fields.rider_lat)
    rider.lng = fromSfCoordinate(fields.rider_lng)
  }
  return Object.keys(rider).length > 0 ? rider : undefined
}

function statusEvent(
  code: number | string,
  time: number,
  riderFields: SfRiderFields,
  note?: string
): StatusEvent {
  const event: StatusEvent = {
    occurredAt: fromSfTime(time),
    carrierStatus: String(code),
    status: mapCarrierStatus(STATUS_MAP, code),
  }
  const rider = toRider(riderFields)
  if (rider) event.rider = rider
  if (note) event.note = note
  return event
}

/** getorderstatus answers the current state only; its push_time is the "as of" time. */
export const parseTrack = (
  result: SfRiderFields & { order_status: number; status_desc?: string; push_time: number }
): StatusEvent[] => [statusEvent(result.order_status, result.push_time, result, result.status_desc)]

export const buildRiderLocationRequest = (
  ref: CarrierOrderRef,
  config: SfConfig,
  pushTime: number
): SfRequest => ({
  call: 'riderlatestposition',
  body: withSystemFields(config, pushTime, orderRef(ref)),
})

export function parseRiderLocation(result: {
  rider_lng: number | string
  rider_lat: number | string
  upload_time: number
}): RiderLocation {
  return {
    lat: fromSfCoordinate(result.rider_lat),
    lng: fromSfCoordinate(result.rider_lng),
    at: fromSfTime(result.upload_time),
  }
}

function errorFor(code: number, message: string, httpStatus: number): CarrierError {
  const options = { code: String(code), carrierMessage: message }
  switch (code) {
    case ERROR_CODES.badSignature:
    case ERROR_CODES.badDevId:
      return new AuthError(`SF refused the credentials: ${message}`, options)
    case ERROR_CODES.noCapacity:
      return new CapacityError(`SF has no rider available: ${message}`, options)
    case ERROR_CODES.outOfRange:
    case ERROR_CODES.invalidState:
      return new RejectedError(`SF refused the order: ${message}`, options)
    case ERROR_CODES.invalidParams:
    case ERROR_CODES.orderNotFound:
      return new InvalidRequestError(`SF rejected the request: ${message}`, options)
    case ERROR_CODES.systemBusy:
    case ERROR_CODES.rateLimited:
      return new RetryableError(`SF is busy: ${message}`, options)
    default:
      return httpStatus >= 500
        ? new RetryableError(`SF error ${httpStatus}: ${message}`, options)
        : new ProtocolError(
            `Unexpected SF answer (HTTP ${httpStatus}, code ${code}): ${message}`,
            options
          )
  }
}

/** Unwraps `{error_code, error_msg, result}`; any failure becomes the matching typed error. */
export function parseEnvelope<T>(httpStatus: number, text: string): T {
  let envelope: { error_code?: unknown; error_msg?: unknown; result?: unknown }
  try {
    envelope = JSON.parse(text)
  } catch {
    if (httpStatus >= 500)
      throw new RetryableError(`SF error ${httpStatus}`, { code: `http_${httpStatus}` })
    throw new ProtocolError(`SF answered non-JSON (HTTP ${httpStatus})`, {
      carrierMessage: text.slice(0, 200),
    })
  }
  const code = Number(envelope.error_code ?? -1)
  const message = typeof envelope.error_msg === 'string' ? envelope.error_msg : ''
  if (code !== ERROR_CODES.ok || httpStatus >= 400) throw errorFor(code, message, httpStatus)
  return (envelope.result ?? {}) as T
}

interface SfCallback extends SfRiderFields {
  sf_order_id: string
  shop_order_id?: string
  url_index?: string
  order_status: number
  status_desc?: string
  operator_name?: string
  operator_phone?: string
  cancel_reason?: string
  ex_content?: string
  push_time: number
}

/**
 * SF signs callbacks like requests: `?sign=` over the raw body. There is no
 * timestamp window because SF retries failed callbacks for a long time; replays are
 * harmless because the event id is derived from the signed body.
 */
export function verifyWebhook(request: RawWebhookRequest, config: SfConfig): NormalizedEvent[] {
  const given = request.query.sign ?? ''
  if (!given) throw new AuthError('Callback has no sign parameter', { code: 'bad_signature' })
  if (!safeEqual(sign(request.body, config.devId, config.devKey), given)) {
    throw new AuthError('Callback signature does not match', { code: 'bad_signature' })
  }
  let payload: SfCallback
  try {
    payload = JSON.parse(request.body)
  } catch {
    throw new ProtocolError('Callback body is not JSON')
  }
  const riderFields: SfRiderFields = {
    ...payload,
    rider_name: payload.operator_name ?? payload.rider_name,
    rider_phone: payload.operator_phone ?? payload.rider_phone,
  }
  const note = payload.cancel_reason || payload.ex_content || undefined
  return [
    {
      ...statusEvent(payload.order_status, payload.push_time, riderFields, note),
      eventId: `${payload.sf_order_id}:${payload.order_status}:${payload.push_time}`,
      carrierOrderId: String(payload.sf_order_id),
    },
  ]
}
