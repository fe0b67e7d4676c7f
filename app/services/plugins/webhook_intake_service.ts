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
import ProblemException from '#exceptions/problem'
import { cachedAccount } from '#services/plugins/resolved_account_cache'
import { sqlTime } from '#dispatch/pipeline/order_transitions'
import { insertSkippingDuplicates } from '#services/insert_skipping_duplicates'
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

/** An event with its time parsed once, for the window check and the stored columns. */
interface TimedEvent {
  event: NormalizedEvent
  at: DateTime
}

function checkWindow(events: NormalizedEvent[], window: WebhookWindow, now: DateTime) {
  const timed: TimedEvent[] = []
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
    timed.push({ event, at })
  }
  return timed
}

const EVENTS_TABLE = 'carrier_webhook_events'

/**
 * Inserts one event row unless its (account, event id) is stored already, and says
 * which: the new row's id, or null for a duplicate. One statement, no transaction:
 * the unique index decides, also between two copies of a callback arriving at once.
 * It runs raw because the query builder's result does not tell the two outcomes apart
 * (see insertSkippingDuplicates).
 */
async function insertUnlessStored(row: Record<string, string | number | null>) {
  const client = db.connection()
  const { sql, bindings } = insertSkippingDuplicates(client, EVENTS_TABLE, row, [
    'carrier_account_id',
    'event_id',
  ]).toSQL()
  if (client.dialect.name === 'mysql') {
    const [result]: [{ insertId: number }] = await db.rawQuery(sql, [...bindings])
    return result.insertId > 0 ? Number(result.insertId) : null
  }
  const rows: Array<{ id: number }> = await db.rawQuery(`${sql} returning id`, [...bindings])
  return rows.length ? Number(rows[0].id) : null
}

/** Inserts the events that are new; existing (account, event id) pairs are duplicates. */
async function storeEvents(
  account: { id: number; pluginId: string },
  timed: TimedEvent[],
  inbound: { body: string; headers: Record<string, string> },
  now: DateTime
) {
  const unique = new Map<string, TimedEvent>()
  for (const entry of timed) unique.set(columnSafeEventId(entry.event.eventId), entry)
  // The same for every row of the callback: written once, not once per event.
  const receivedAt = sqlTime(now)
  const headers = JSON.stringify(storedHeaders(inbound.headers))
  const stored: CarrierWebhookReceived['events'] = []
  for (const [eventId, { event, at }] of unique) {
    const carrierOrderId = event.carrierOrderId.slice(0, 128)
    const carrierStatus = event.carrierStatus.slice(0, 64)
    const id = await insertUnlessStored({
      carrier_account_id: account.id,
      plugin_id: account.pluginId,
      event_id: eventId,
      carrier_order_id: carrierOrderId,
      status: event.status,
      carrier_status: carrierStatus,
      occurred_at: sqlTime(at),
      received_at: receivedAt,
      event: JSON.stringify(event),
      raw_body: inbound.body,
      headers,
      processed_at: null,
    })
    if (id === null) continue
    stored.push({
      id,
      eventId,
      carrierOrderId,
      status: event.status,
      carrierStatus,
      occurredAt: at.toISO()!,
    })
  }
  return { stored, duplicates: timed.length - stored.length }
}

/** The account to verify with, or the answer the carrier gets when there is none. */
async function accountFor(node: PluginNode, accountId: number) {
  try {
    // Callbacks for a disabled account still arrive for orders it already carries.
    return await cachedAccount(node, accountId, { allowDisabled: true })
  } catch (error) {
    if (error instanceof CarrierAccountError && error.code === 'account_not_found') {
      throw ProblemException.notFound(`Carrier account ${accountId}`)
    }
    throw verificationProblem(error)
  }
}

export async function receiveWebhook(
  accountId: number,
  inbound: InboundWebhook
): Promise<WebhookOutcome> {
  const bytes = Buffer.byteLength(inbound.body)
  if (bytes > WEBHOOK_MAX_BYTES) throw tooLarge(bytes)

  const node = await app.container.make(PluginNode)
  const resolved = await accountFor(node, accountId)
  const account = { id: Number(resolved.account.id), pluginId: resolved.pluginId }
  const headers = flatHeaders(inbound.headers)
  // A separate breaker key: forged callbacks must not open the breaker that guards quotes.
  const breakerKey = `${account.id}${WEBHOOK_BREAKER_SUFFIX}`
  let events: NormalizedEvent[]
  try {
    events = await node.host.verifyWebhook(
      account.pluginId,
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
  const timed = checkWindow(events, webhookWindow(), now)
  const { stored, duplicates } = await storeEvents(
    account,
    timed,
    { body: inbound.body, headers },
    now
  )

  if (stored.length) {
    emitter
      .emit('carrier:webhook', {
        accountId: account.id,
        pluginId: account.pluginId,
        events: stored,
      })
      .catch((error: Error) =>
        logger.error({ err: error, accountId: account.id }, 'carrier:webhook listener failed')
      )
  }
  return { accepted: stored.length, duplicates }
}
