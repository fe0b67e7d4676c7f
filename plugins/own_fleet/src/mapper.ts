/**
 * Pure translation between the hub's contract and the fleet API: build requests,
 * parse responses, sign, verify callbacks. No I/O here, so every function is tested
 * against fixtures without a network.
 */
import {
  AuthError,
  CapacityError,
  InvalidRequestError,
  ProtocolError,
  RejectedError,
  RetryableError,
  hmacSha256Hex,
  mapCarrierStatus,
  safeEqual,
  sha256Hex,
  type CarrierError,
  type CarrierOrderRef,
  type CreateResult,
  type HubOrder,
  type NormalizedEvent,
  type PreCancelResult,
  type ProofOfDelivery,
  type QuoteResult,
  type RawWebhookRequest,
  type RiderInfo,
  type RiderLocation,
  type StatusEvent,
} from '../../sdk/index.js'
import {
  ERROR_CODES,
  fromFleetMoney,
  fromFleetTime,
  STATUS_MAP,
  toFleetCoordinate,
  toFleetMoney,
} from './units.js'

export interface FleetConfig {
  baseUrl: string
  fleetId: string
  apiKey: string
  apiSecret: string
  service?: 'standard' | 'express'
  webhookToleranceS?: number
}

export interface FleetRequest {
  method: 'GET' | 'POST'
  path: string
  body?: Record<string, unknown>
}

interface FleetRider {
  name?: string
  phone?: string
  lat?: number
  lng?: number
}

interface FleetEvent {
  status: string
  at: number
  rider?: FleetRider
  note?: string
}

/** The string the fleet API signs: method, path, timestamp, nonce and the body's sha256, one per line. */
export function canonicalRequest(
  method: string,
  path: string,
  timestamp: number,
  nonce: string,
  body: string
): string {
  return [method.toUpperCase(), path, String(timestamp), nonce, sha256Hex(body)].join('\n')
}

export function signatureHeaders(
  config: FleetConfig,
  request: { method: string; path: string; body: string },
  timestamp: number,
  nonce: string
): Record<string, string> {
  return {
    'x-fleet-key': config.apiKey,
    'x-fleet-timestamp': String(timestamp),
    'x-fleet-nonce': nonce,
    'x-fleet-signature': hmacSha256Hex(
      config.apiSecret,
      canonicalRequest(request.method, request.path, timestamp, nonce, request.body)
    ),
  }
}

const deliveryPath = (ref: CarrierOrderRef, action: string) =>
  `/v1/deliveries/${encodeURIComponent(ref.carrierOrderId)}/${action}`

export function buildQuoteRequest(order: HubOrder, config: FleetConfig): FleetRequest {
  return {
    method: 'POST',
    path: '/v1/quotes',
    body: {
      fleet_id: config.fleetId,
      order_no: order.id,
      merchant_order_no: order.external_id,
      service: config.service ?? 'standard',
      pickup: {
        name: order.store.name,
        address: order.store.address,
        city: order.store.city,
        lat: toFleetCoordinate(order.store.lat),
        lng: toFleetCoordinate(order.store.lng),
        contact: order.store.contact_name,
        phone: order.store.contact_phone,
      },
      dropoff: {
        name: order.recipient.name,
        address: order.recipient.address,
        city: order.recipient.city,
        lat: toFleetCoordinate(order.recipient.lat),
        lng: toFleetCoordinate(order.recipient.lng),
        phone: order.recipient.phone,
      },
      goods: {
        summary: order.items_summary,
        count: order.item_count,
        weight_g: order.weight_g,
        value: toFleetMoney(order.declared_value_fen),
        category: order.category,
      },
      tip: toFleetMoney(order.tip_fen),
    },
  }
}

export function parseQuote(data: {
  quote_id: string
  fee: string
  distance_m: number
  pickup_eta_s: number
  dropoff_eta_s: number
  expires_at: number
}): QuoteResult {
  return {
    feeFen: fromFleetMoney(data.fee),
    pickupEtaS: data.pickup_eta_s,
    dropoffEtaS: data.dropoff_eta_s,
    distanceM: data.distance_m,
    quoteToken: data.quote_id,
    expiresAt: fromFleetTime(data.expires_at),
  }
}

export function buildCreateRequest(
  order: HubOrder,
  quote: QuoteResult,
  idempotencyKey: string,
  config: FleetConfig
): FleetRequest {
  return {
    method: 'POST',
    path: '/v1/deliveries',
    body: {
      fleet_id: config.fleetId,
      quote_id: quote.quoteToken,
      order_no: order.id,
      request_id: idempotencyKey,
      remark: order.notes,
    },
  }
}

export function parseCreate(data: { delivery_id: string; fee?: string }): CreateResult {
  return data.fee === undefined
    ? { carrierOrderId: data.delivery_id }
    : { carrierOrderId: data.delivery_id, feeFen: fromFleetMoney(data.fee) }
}

export const buildPreCancelRequest = (ref: CarrierOrderRef): FleetRequest => ({
  method: 'POST',
  path: deliveryPath(ref, 'cancel-fee'),
  body: {},
})

export const parsePreCancel = (data: { fee: string }): PreCancelResult => ({
  feeFen: fromFleetMoney(data.fee),
})

export const buildCancelRequest = (ref: CarrierOrderRef, reason: string): FleetRequest => ({
  method: 'POST',
  path: deliveryPath(ref, 'cancel'),
  body: { reason },
})

export const parseCancel = (data: { deducted_fee?: string }) =>
  data.deducted_fee === undefined ? {} : { feeFen: fromFleetMoney(data.deducted_fee) }

export const buildTipRequest = (ref: CarrierOrderRef, amountFen: number): FleetRequest => ({
  method: 'POST',
  path: deliveryPath(ref, 'tips'),
  body: { amount: toFleetMoney(amountFen) },
})

export const buildTrackRequest = (ref: CarrierOrderRef): FleetRequest => ({
  method: 'GET',
  path: deliveryPath(ref, 'events'),
})

function toRider(rider: FleetRider | undefined): RiderInfo | undefined {
  if (!rider) return undefined
  const info: RiderInfo = {}
  if (rider.name) info.name = rider.name
  if (rider.phone) info.phone = rider.phone
  if (typeof rider.lat === 'number' && typeof rider.lng === 'number') {
    info.lat = rider.lat
    info.lng = rider.lng
  }
  return info
}

function toStatusEvent(event: FleetEvent): StatusEvent {
  const result: StatusEvent = {
    occurredAt: fromFleetTime(event.at),
    carrierStatus: event.status,
    status: mapCarrierStatus(STATUS_MAP, event.status),
  }
  const rider = toRider(event.rider)
  if (rider) result.rider = rider
  if (event.note) result.note = event.note
  return result
}

export const parseTrack = (data: { events: FleetEvent[] }): StatusEvent[] =>
  data.events.map(toStatusEvent)

export const buildRiderLocationRequest = (ref: CarrierOrderRef): FleetRequest => ({
  method: 'GET',
  path: deliveryPath(ref, 'rider'),
})

export const parseRiderLocation = (data: {
  lat: number
  lng: number
  reported_at: number
}): RiderLocation => ({
  lat: data.lat,
  lng: data.lng,
  at: fromFleetTime(data.reported_at),
})

export const buildProofRequest = (ref: CarrierOrderRef): FleetRequest => ({
  method: 'GET',
  path: deliveryPath(ref, 'proof'),
})

export function parseProof(data: {
  photos: string[]
  signed_by?: string
  delivered_at: number
}): ProofOfDelivery {
  const proof: ProofOfDelivery = { photoUrls: data.photos, at: fromFleetTime(data.delivered_at) }
  if (data.signed_by) proof.signedBy = data.signed_by
  return proof
}

function errorFor(code: number, message: string, httpStatus: number): CarrierError {
  const options = { code: String(code), carrierMessage: message }
  switch (code) {
    case ERROR_CODES.badKey:
    case ERROR_CODES.badSignature:
      return new AuthError(`Fleet API refused the credentials: ${message}`, options)
    case ERROR_CODES.noRiders:
      return new CapacityError(`No fleet rider available: ${message}`, options)
    case ERROR_CODES.outOfArea:
    case ERROR_CODES.tooLate:
      return new RejectedError(`Fleet refused the order: ${message}`, options)
    case ERROR_CODES.invalidParams:
    case ERROR_CODES.quoteExpired:
    case ERROR_CODES.notFound:
      return new InvalidRequestError(`Fleet API rejected the request: ${message}`, options)
    case ERROR_CODES.rateLimited:
      return new RetryableError(`Fleet API rate limit: ${message}`, options)
    default:
      return httpStatus >= 500
        ? new RetryableError(`Fleet API error ${httpStatus}: ${message}`, options)
        : new ProtocolError(
            `Unexpected fleet API answer (HTTP ${httpStatus}, code ${code}): ${message}`,
            options
          )
  }
}

/** Unwraps `{code, message, data}`; any failure becomes the matching typed error. */
export function parseEnvelope<T>(httpStatus: number, text: string): T {
  let envelope: { code?: unknown; message?: unknown; data?: unknown }
  try {
    envelope = JSON.parse(text)
  } catch {
    if (httpStatus >= 500)
      throw new RetryableError(`Fleet API error ${httpStatus}`, { code: `http_${httpStatus}` })
    throw new ProtocolError(`Fleet API answered non-JSON (HTTP ${httpStatus})`, {
      carrierMessage: text.slice(0, 200),
    })
  }
  const code = typeof envelope.code === 'number' ? envelope.code : -1
  const message = typeof envelope.message === 'string' ? envelope.message : ''
  if (code !== ERROR_CODES.ok || httpStatus >= 400) throw errorFor(code, message, httpStatus)
  return (envelope.data ?? {}) as T
}

/**
 * Callbacks carry `x-fleet-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`.
 * A stale timestamp is refused, so a captured callback cannot be replayed later.
 */
export function verifyWebhook(
  request: RawWebhookRequest,
  config: FleetConfig,
  now: Date
): NormalizedEvent[] {
  const header = request.headers['x-fleet-signature'] ?? ''
  const parts = Object.fromEntries(
    header.split(',').map((part) => {
      const [key, ...rest] = part.trim().split('=')
      return [key, rest.join('=')]
    })
  )
  const timestamp = Number(parts.t)
  if (!parts.t || !parts.v1 || !Number.isInteger(timestamp)) {
    throw new AuthError('Callback signature header is missing or malformed', {
      code: 'bad_signature',
    })
  }
  const tolerance = config.webhookToleranceS ?? 300
  if (Math.abs(now.getTime() / 1000 - timestamp) > tolerance) {
    throw new AuthError(`Callback timestamp is outside the ${tolerance} s window`, {
      code: 'stale_signature',
    })
  }
  const expected = hmacSha256Hex(config.apiSecret, `${timestamp}.${request.body}`)
  if (!safeEqual(expected, parts.v1)) {
    throw new AuthError('Callback signature does not match', { code: 'bad_signature' })
  }
  let payload: {
    event_id: string
    delivery_id: string
    status: string
    occurred_at: number
    rider?: FleetRider
    note?: string
  }
  try {
    payload = JSON.parse(request.body)
  } catch {
    throw new ProtocolError('Callback body is not JSON')
  }
  return [
    {
      ...toStatusEvent({
        status: payload.status,
        at: payload.occurred_at,
        rider: payload.rider,
        note: payload.note,
      }),
      eventId: payload.event_id,
      carrierOrderId: payload.delivery_id,
    },
  ]
}
