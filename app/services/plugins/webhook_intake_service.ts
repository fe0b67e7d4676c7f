/**
 * Carrier callbacks. The carrier's signature is the authentication: the plugin
 * verifies it over the raw body, the hub enforces a timestamp window on the events,
 * de-duplicates on (account, event id) with the unique index, stores the events with
 * the raw body, and answers at once. Processing happens later, from the stored rows
 * (`processed_at` null) and the in-process `carrier:webhook` event.
 */
import { createHash } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import emitter from '@adonisjs/core/services/emitter'
import logger from '@adonisjs/core/services/logger'
import type { NormalizedEvent } from '#sdk/contract'
import { AuthError, CarrierError, InvalidRequestError, ProtocolError } from '#sdk/errors'
import { PluginUnavailableError } from '#carriers/host_errors'
import { PluginNode, WEBHOOK_BREAKER_SUFFIX } from '#carriers/registry/plugin_node'
import { CarrierAccountError } from '#carriers/registry/account_errors'
import CarrierAccount from '#models/carrier_account'
import CarrierWebhookEvent from '#models/carrier_webhook_event'
import ProblemException from '#exceptions/problem'
import { isUniqueViolation } from '#services/idempotency_service'
import { resolveAccount } from '#services/plugins/carrier_account_service'
import env from '#start/env'

/** Carrier callbacks are a few KiB; anything near this is not one. */
export const WEBHOOK_MAX_BYTES = 256 * 1024

export interface WebhookWindow {
  /** Events older than this are refused (a replay, or a carrier retrying for too long). */
  maxAgeS: number
  /** Events further in the future are refused (a wrong clock, or a forged time). */
  maxFutureS: number
}

export function webhookWindow(): WebhookWindow {
  return {
    maxAgeS: env.get('WEBHOOK_MAX_AGE_S') ?? 15 * 60,
    maxFutureS: env.get('WEBHOOK_MAX_FUTURE_S') ?? 5 * 60,
  }
}

export interface CarrierWebhookReceived {
  accountId: number
  pluginId: string
  /** The stored rows (duplicates excluded), to be applied to their orders. */
  events: Array<{
    id: number
    eventId: string
    carrierOrderId: string
    status: string
    carrierStatus: string
    occurredAt: string
  }>
}

declare module '@adonisjs/core/types' {
  interface EventsList {
    'carrier:webhook': CarrierWebhookReceived
  }
}

export interface InboundWebhook {
  body: string
  headers: IncomingHttpHeaders
  query: Record<string, unknown>
}

export interface WebhookOutcome {
  accepted: number
  duplicates: number
}

/** Credentials and cookies have no business in a stored callback. */
const DROPPED_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie'])

export function tooLarge(bytes: number | null) {
  return new ProblemException({
    status: 413,
    slug: 'body-too-large',
    title: 'Request body too large',
    detail: `A callback may be at most ${WEBHOOK_MAX_BYTES} bytes${bytes === null ? '' : ` (got ${bytes})`}`,
    errors: [
      { pointer: '', rule: 'maxBytes', message: `must be at most ${WEBHOOK_MAX_BYTES} bytes` },
    ],
  })
}

function problem(status: number, slug: string, title: string, detail: string) {
  return new ProblemException({ status, slug, title, detail })
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
  }
  return flat
}

function storedHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers)
      .filter(([name]) => !DROPPED_HEADERS.has(name))
      .slice(0, 50)
      .map(([name, value]) => [name, value.slice(0, 1024)])
  )
}

function flatQuery(query: Record<string, unknown>): Record<string, string> {
  const flat: Record<string, string> = {}
  for (const [name, value] of Object.entries(query)) {
    const first = Array.isArray(value) ? value[0] : value
    if (first !== undefined && first !== null && typeof first !== 'object')
      flat[name] = String(first)
  }
  return flat
}

/** Keeps ids inside their indexed columns; an over-long event id is replaced by its digest. */
function columnSafeEventId(eventId: string) {
  return eventId.length <= 191
    ? eventId
    : `sha256:${createHash('sha256').update(eventId).digest('hex')}`
}

/** Maps what verification threw to the answer the carrier gets. */
function verificationProblem(error: unknown): ProblemException {
  if (error instanceof AuthError) {
    return problem(401, 'invalid-signature', 'Invalid signature', error.message)
  }
  if (error instanceof CarrierAccountError) {
    if (error.code === 'plugin_uninstalled') {
      return problem(410, 'carrier-uninstalled', 'Gone', error.message)
    }
    // Disabled plugin, unreadable secrets, config invalid for this version: an admin
    // can fix these, so the carrier should retry.
    return problem(503, 'carrier-unavailable', 'Service unavailable', error.message)
  }
  if (error instanceof PluginUnavailableError && error.code === 'capability_not_supported') {
    return problem(
      404,
      'webhooks-not-supported',
      'Not found',
      'This carrier plugin takes no callbacks'
    )
  }
  if (error instanceof InvalidRequestError && error.code === 'body_too_large') return tooLarge(null)
  if (error instanceof ProtocolError || error instanceof InvalidRequestError) {
    return problem(400, 'invalid-callback', 'Invalid callback', error.message)
  }
  const message =
    error instanceof CarrierError ? `${error.name}: ${error.message}` : 'plugin failed'
  return problem(503, 'carrier-unavailable', 'Service unavailable', message)
}

function checkWindow(events: NormalizedEvent[], window: WebhookWindow, now: DateTime) {
  for (const event of events) {
    const at = DateTime.fromISO(event.occurredAt, { zone: 'utc' })
    if (!at.isValid) {
      throw problem(
        400,
        'invalid-callback',
        'Invalid callback',
        `Event ${event.eventId} has no valid time`
      )
    }
    const ageS = now.diff(at, 'seconds').seconds
    if (ageS > window.maxAgeS || -ageS > window.maxFutureS) {
      throw new ProblemException({
        status: 400,
        slug: 'stale-event',
        title: 'Event outside the accepted time window',
        detail: `Event ${event.eventId} happened at ${event.occurredAt}; callbacks are accepted from ${window.maxAgeS} s before to ${window.maxFutureS} s after the hub's clock (${now.toISO()})`,
        errors: [
          { pointer: '', rule: 'timestamp', message: 'is outside the accepted time window' },
        ],
      })
    }
  }
}

/** Inserts the events that are new; existing (account, event id) pairs are duplicates. */
async function storeEvents(
  account: CarrierAccount,
  events: NormalizedEvent[],
  inbound: { body: string; headers: Record<string, string> },
  now: DateTime
) {
  const unique = new Map<string, NormalizedEvent>()
  for (const event of events) unique.set(columnSafeEventId(event.eventId), event)
  return db.transaction(async (trx) => {
    const existing = await CarrierWebhookEvent.query({ client: trx })
      .select('event_id')
      .where('carrier_account_id', account.id)
      .whereIn('event_id', [...unique.keys()])
    const known = new Set(existing.map((row) => row.eventId))
    const stored: CarrierWebhookEvent[] = []
    for (const [eventId, event] of unique) {
      if (known.has(eventId)) continue
      try {
        stored.push(
          await CarrierWebhookEvent.create(
            {
              carrierAccountId: account.id,
              pluginId: account.pluginId,
              eventId,
              carrierOrderId: event.carrierOrderId.slice(0, 128),
              status: event.status,
              carrierStatus: event.carrierStatus.slice(0, 64),
              occurredAt: DateTime.fromISO(event.occurredAt, { zone: 'utc' }),
              receivedAt: now,
              event,
              rawBody: inbound.body,
              headers: storedHeaders(inbound.headers),
              processedAt: null,
            },
            { client: trx }
          )
        )
      } catch (error) {
        // The same callback arriving twice at once: the other request stored it.
        if (!isUniqueViolation(error)) throw error
      }
    }
    return { stored, duplicates: events.length - stored.length }
  })
}

export async function receiveWebhook(
  accountId: number,
  inbound: InboundWebhook
): Promise<WebhookOutcome> {
  const bytes = Buffer.byteLength(inbound.body)
  if (bytes > WEBHOOK_MAX_BYTES) throw tooLarge(bytes)

  const account = await CarrierAccount.query()
    .where('id', accountId)
    .whereNull('deleted_at')
    .first()
  if (!account) throw ProblemException.notFound(`Carrier account ${accountId}`)

  const headers = flatHeaders(inbound.headers)
  const node = await app.container.make(PluginNode)
  // A separate breaker key: forged callbacks must not open the breaker that guards quotes.
  const breakerKey = `${account.id}${WEBHOOK_BREAKER_SUFFIX}`
  let events: NormalizedEvent[]
  try {
    // Callbacks for a disabled account still arrive for orders it already carries.
    const resolved = await resolveAccount(account.id, { allowDisabled: true })
    events = await node.host.verifyWebhook(
      resolved.pluginId,
      { id: breakerKey, config: resolved.account.config },
      { headers, body: inbound.body, query: flatQuery(inbound.query) }
    )
  } catch (error) {
    // Anyone can post a bad signature; only real plugin failures may trip the breaker.
    if (error instanceof AuthError) node.host.resetBreaker(account.pluginId, breakerKey)
    throw verificationProblem(error)
  }
  if (events.length === 0) return { accepted: 0, duplicates: 0 }

  const now = DateTime.utc()
  checkWindow(events, webhookWindow(), now)
  const { stored, duplicates } = await storeEvents(
    account,
    events,
    { body: inbound.body, headers },
    now
  )

  if (stored.length) {
    emitter
      .emit('carrier:webhook', {
        accountId: account.id,
        pluginId: account.pluginId,
        events: stored.map((row) => ({
          id: row.id,
          eventId: row.eventId,
          carrierOrderId: row.carrierOrderId,
          status: row.status,
          carrierStatus: row.carrierStatus,
          occurredAt: row.occurredAt.toISO()!,
        })),
      })
      .catch((error: Error) =>
        logger.error({ err: error, accountId: account.id }, 'carrier:webhook listener failed')
      )
  }
  return { accepted: stored.length, duplicates }
}
