/**
 * Emulator of the own-fleet dispatch API (plugins/own_fleet): the same paths, JSON
 * envelope `{code, message, data}`, money as yuan strings, error codes and HTTP
 * statuses as the plugin's fixtures, request signature
 *   x-fleet-signature = hex HMAC-SHA256(apiSecret, METHOD \n path \n timestamp \n nonce \n sha256hex(body))
 * and callbacks signed `x-fleet-signature: t=<unix s>,v1=hex HMAC-SHA256(apiSecret, t + "." + body)`.
 * Written from the plugin's README and fixtures, not from its code, so a signing bug
 * on either side shows up as a failed end-to-end test instead of cancelling out.
 */
import { fenToYuan, yuanToFen } from '#sdk/money'
import { hmacSha256Hex, safeEqual, sha256Hex } from '#sdk/signing'
import {
  DeliveryStateError,
  type CarrierEmulator,
  type EmulatorContext,
  type SandboxAccount,
  type SandboxDelivery,
  type SandboxDeliveryState,
  type SandboxHistoryEntry,
  type SandboxRequest,
  type SandboxResponse,
  type SandboxRider,
} from '#sandbox/emulator'

const CARRIER = 'own_fleet'

/** The plugin refuses callbacks older than its webhookToleranceS (default 300 s); so do we for requests. */
const TIMESTAMP_TOLERANCE_S = 300

const CODES = {
  ok: 0,
  invalidParams: 40001,
  quoteExpired: 40002,
  badKey: 40101,
  badSignature: 40102,
  notFound: 40401,
  noRiders: 42201,
  outOfArea: 42202,
  tooLate: 42203,
  internal: 50000,
  unavailable: 50300,
} as const

const FLEET_STATUS: Record<SandboxDeliveryState, string> = {
  waiting: 'pending',
  accepted: 'assigned',
  arrived: 'arrived',
  picked_up: 'picked_up',
  delivering: 'delivering',
  delivered: 'delivered',
  cancelled: 'cancelled',
}

export const OWN_FLEET_SANDBOX_ACCOUNT = {
  accountKey: 'sandbox-own-fleet-key',
  credentials: {
    fleetId: 'F-SANDBOX',
    apiKey: 'sandbox-own-fleet-key',
    apiSecret: 'sandbox-own-fleet-secret',
  },
}

type Json = Record<string, unknown>

const reply = (status: number, code: number, message: string, data?: unknown): SandboxResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(data === undefined ? { code, message } : { code, message, data }),
})
const ok = (data: unknown) => reply(200, CODES.ok, 'ok', data)

/** An answer that ends the request early (auth failure, bad input). */
class FleetFailure extends Error {
  constructor(readonly response: SandboxResponse) {
    super('fleet failure')
  }
}
const fail = (status: number, code: number, message: string) =>
  new FleetFailure(reply(status, code, message))

// ---- Authentication -------------------------------------------------------------

export function fleetRequestSignature(
  secret: string,
  request: { method: string; path: string; timestamp: string; nonce: string; body: string }
): string {
  const canonical = [
    request.method.toUpperCase(),
    request.path,
    request.timestamp,
    request.nonce,
    sha256Hex(request.body),
  ].join('\n')
  return hmacSha256Hex(secret, canonical)
}

function authenticate(request: SandboxRequest, context: EmulatorContext): SandboxAccount {
  const key = request.headers['x-fleet-key'] ?? ''
  const account = key ? context.account(CARRIER, key) : undefined
  if (!account) throw fail(401, CODES.badKey, 'unknown x-fleet-key')
  const timestamp = request.headers['x-fleet-timestamp'] ?? ''
  const nonce = request.headers['x-fleet-nonce'] ?? ''
  const signature = request.headers['x-fleet-signature'] ?? ''
  if (!/^\d+$/.test(timestamp) || !nonce || !signature) {
    throw fail(401, CODES.badSignature, 'missing signature headers')
  }
  const wallSeconds = (context.wallNow?.() ?? new Date()).getTime() / 1000
  if (Math.abs(wallSeconds - Number(timestamp)) > TIMESTAMP_TOLERANCE_S) {
    throw fail(401, CODES.badSignature, 'timestamp outside the allowed window')
  }
  const expected = fleetRequestSignature(account.credentials.apiSecret ?? '', {
    method: request.method,
    path: request.path,
    timestamp,
    nonce,
    body: request.rawBody,
  })
  if (!safeEqual(expected, signature)) throw fail(401, CODES.badSignature, 'signature mismatch')
  return account
}

// ---- Request parsing ------------------------------------------------------------

function jsonBody(request: SandboxRequest): Json {
  try {
    const body = JSON.parse(request.rawBody || '{}')
    if (body && typeof body === 'object' && !Array.isArray(body)) return body as Json
  } catch {}
  throw fail(400, CODES.invalidParams, 'body must be a JSON object')
}

function point(value: unknown, field: string): { lat: number; lng: number } {
  const place = value as { lat?: unknown; lng?: unknown } | undefined
  if (!place || typeof place.lat !== 'number' || typeof place.lng !== 'number') {
    throw fail(400, CODES.invalidParams, `${field}.lat and ${field}.lng are required numbers`)
  }
  return { lat: place.lat, lng: place.lng }
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') {
    throw fail(400, CODES.invalidParams, `${field} is required`)
  }
  return value
}

function checkFleet(body: Json, account: SandboxAccount): void {
  if (body.fleet_id !== account.credentials.fleetId) {
    throw fail(401, CODES.badKey, 'fleet_id does not belong to this key')
  }
}

function ownDelivery(
  context: EmulatorContext,
  account: SandboxAccount,
  id: string
): SandboxDelivery {
  const delivery = context.findDelivery(CARRIER, id)
  if (!delivery || delivery.accountKey !== account.accountKey) {
    throw fail(404, CODES.notFound, '配送单不存在')
  }
  return delivery
}

// ---- Response shapes ------------------------------------------------------------

const unixSeconds = (at: Date) => Math.floor(at.getTime() / 1000)

function fleetRider(rider: SandboxRider | null | undefined) {
  return rider
    ? { name: rider.name, phone: rider.phone, lat: rider.lat, lng: rider.lng }
    : undefined
}

function fleetEvent(entry: SandboxHistoryEntry) {
  const event: Json = { status: FLEET_STATUS[entry.state], at: unixSeconds(entry.at) }
  const rider = fleetRider(entry.rider)
  if (rider) event.rider = rider
  if (entry.note) event.note = entry.note
  return event
}

// ---- Calls ----------------------------------------------------------------------

function quote(request: SandboxRequest, context: EmulatorContext, account: SandboxAccount) {
  const body = jsonBody(request)
  checkFleet(body, account)
  const pickup = body.pickup as Json | undefined
  const goods = (body.goods ?? {}) as Json
  const weightG = typeof goods.weight_g === 'number' ? goods.weight_g : 0
  const result = context.quote({
    carrier: CARRIER,
    city: typeof pickup?.city === 'string' ? pickup.city : '',
    from: point(pickup, 'pickup'),
    to: point(body.dropoff, 'dropoff'),
    weightG,
    at: context.now(),
    orderKey: text(body.order_no, 'order_no'),
  })
  if (!result.ok) {
    return result.reason === 'no_capacity'
      ? reply(200, CODES.noRiders, '附近暂无空闲骑手')
      : reply(200, CODES.outOfArea, '超出配送范围')
  }
  return ok({
    quote_id: result.token,
    fee: fenToYuan(result.feeFen),
    distance_m: result.distanceM,
    pickup_eta_s: result.pickupEtaS,
    dropoff_eta_s: result.dropoffEtaS,
    expires_at: unixSeconds(result.expiresAt),
  })
}

function create(request: SandboxRequest, context: EmulatorContext, account: SandboxAccount) {
  const body = jsonBody(request)
  checkFleet(body, account)
  const quoteId = text(body.quote_id, 'quote_id')
  const requestId = text(body.request_id, 'request_id')
  // request_id is the retry key: a retried create answers the delivery made the first
  // time, even once its quote has expired.
  const found = context.findDelivery(CARRIER, requestId)
  const previous = found?.clientOrderId === requestId ? found : undefined
  if (previous && previous.accountKey !== account.accountKey) {
    throw fail(400, CODES.invalidParams, 'request_id was already used by another fleet')
  }
  let source: Pick<SandboxDelivery, 'quoteToken' | 'feeFen' | 'from' | 'to' | 'city'>
  if (previous) {
    source = previous
  } else {
    const quoted = context.redeemQuote(CARRIER, quoteId)
    if (!quoted) return reply(400, CODES.quoteExpired, '报价已过期')
    const { from, to, city } = quoted.input
    source = { quoteToken: quoteId, feeFen: quoted.feeFen, from, to, city }
  }
  const { delivery } = context.createDelivery({
    carrier: CARRIER,
    accountKey: account.accountKey,
    clientOrderId: requestId,
    ...source,
    extra: { orderNo: body.order_no, remark: body.remark },
  })
  return ok({ delivery_id: delivery.carrierOrderId, fee: fenToYuan(delivery.feeFen) })
}

function cancelFee(delivery: SandboxDelivery, context: EmulatorContext) {
  if (delivery.state === 'delivered') return reply(200, CODES.tooLate, '配送单已送达，无法取消')
  return ok({ fee: fenToYuan(context.cancellationFeeFen(delivery)) })
}

function cancel(request: SandboxRequest, delivery: SandboxDelivery, context: EmulatorContext) {
  const body = jsonBody(request)
  const reason = typeof body.reason === 'string' ? body.reason : 'merchant_cancelled'
  const { feeFen } = context.cancelDelivery(delivery, reason)
  return ok({ deducted_fee: fenToYuan(feeFen) })
}

function tip(request: SandboxRequest, delivery: SandboxDelivery, context: EmulatorContext) {
  const body = jsonBody(request)
  let amountFen: number
  try {
    amountFen = yuanToFen(text(body.amount, 'amount'))
  } catch (error) {
    if (error instanceof FleetFailure) throw error
    throw fail(400, CODES.invalidParams, 'amount must be a yuan amount such as "3.00"')
  }
  if (amountFen <= 0) throw fail(400, CODES.invalidParams, 'amount must be positive')
  context.addTip(delivery, amountFen)
  return ok({})
}

function riderLocation(delivery: SandboxDelivery, context: EmulatorContext) {
  const position = context.riderPosition(delivery)
  if (!position) return reply(404, CODES.notFound, '暂无骑手位置')
  return ok({ lat: position.lat, lng: position.lng, reported_at: unixSeconds(position.at) })
}

function proof(delivery: SandboxDelivery) {
  const delivered = delivery.history.findLast((entry) => entry.state === 'delivered')
  if (delivery.state !== 'delivered' || !delivered) return reply(404, CODES.notFound, '尚未妥投')
  return ok({
    photos: [`https://img.fleet-api.example.com/pod/${delivery.carrierOrderId}/1.jpg`],
    signed_by: '本人签收',
    delivered_at: unixSeconds(delivered.at),
  })
}

const DELIVERY_ACTION = /^\/v1\/deliveries\/([^/]+)\/([a-z-]+)$/

function route(request: SandboxRequest, context: EmulatorContext): SandboxResponse {
  const account = authenticate(request, context)
  const { method, path } = request
  if (method === 'POST' && path === '/v1/quotes') return quote(request, context, account)
  if (method === 'POST' && path === '/v1/deliveries') return create(request, context, account)
  const match = DELIVERY_ACTION.exec(path)
  if (!match) return reply(404, CODES.notFound, `no such API: ${method} ${path}`)
  const delivery = ownDelivery(context, account, decodeURIComponent(match[1]))
  const action = `${method} ${match[2]}`
  switch (action) {
    case 'POST cancel-fee':
      return cancelFee(delivery, context)
    case 'POST cancel':
      return cancel(request, delivery, context)
    case 'POST tips':
      return tip(request, delivery, context)
    case 'GET events':
      return ok({ events: delivery.history.map(fleetEvent) })
    case 'GET rider':
      return riderLocation(delivery, context)
    case 'GET proof':
      return proof(delivery)
    default:
      return reply(404, CODES.notFound, `no such API: ${method} ${path}`)
  }
}

// ---- The emulator ---------------------------------------------------------------

export const ownFleetEmulator: CarrierEmulator = {
  carrier: CARRIER,

  handle(request, context) {
    try {
      return route(request, context)
    } catch (error) {
      if (error instanceof FleetFailure) return error.response
      if (error instanceof DeliveryStateError) {
        return reply(
          200,
          CODES.tooLate,
          error.code === 'already_delivered' ? '配送单已送达' : '配送单已取消'
        )
      }
      throw error
    }
  },

  defaultAccount: () => ({
    accountKey: OWN_FLEET_SANDBOX_ACCOUNT.accountKey,
    credentials: { ...OWN_FLEET_SANDBOX_ACCOUNT.credentials },
  }),

  errorResponse: (kind) =>
    kind === 'unavailable'
      ? reply(503, CODES.unavailable, 'service unavailable')
      : reply(500, CODES.internal, 'internal error'),

  callback(delivery, account, at, options) {
    const url =
      (typeof delivery.extra.callbackUrl === 'string' ? delivery.extra.callbackUrl : null) ??
      account.callbackUrl
    if (!url) return null
    const last = delivery.history.at(-1)
    const payload: Json = {
      event_id: `evt_${delivery.carrierOrderId}_${options.eventSeq}`,
      delivery_id: delivery.carrierOrderId,
      status: FLEET_STATUS[delivery.state],
      // Wall clock, like the other carriers: the hub rejects callbacks whose time is
      // far from its own, and the sandbox clock may run fast or in the past.
      occurred_at: unixSeconds(options.sentAt ?? at),
    }
    const rider = fleetRider(delivery.rider)
    if (rider) payload.rider = rider
    if (last?.note) payload.note = last.note
    const body = JSON.stringify(payload)
    const t = unixSeconds(options.sentAt ?? new Date())
    const secret = account.credentials.apiSecret ?? ''
    const signature = hmacSha256Hex(
      options.forgeSignature ? `${secret}-forged` : secret,
      `${t}.${body}`
    )
    return {
      url,
      headers: {
        'content-type': 'application/json',
        'x-fleet-signature': `t=${t},v1=${signature}`,
      },
      body,
    }
  },
}

export default ownFleetEmulator
