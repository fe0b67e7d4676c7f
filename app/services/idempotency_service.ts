import { createHmac } from 'node:crypto'
import env from '#start/env'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import IdempotencyKey from '#models/idempotency_key'
import ProblemException from '#exceptions/problem'

/** Stripe keeps keys for 24 hours; so do we. */
const RETENTION_HOURS = 24
/** A request that has not finished after this long is presumed dead (crashed process). */
const IN_FLIGHT_LEASE_SECONDS = 120
const MAX_KEY_LENGTH = 255
const SQL_DATETIME = 'yyyy-MM-dd HH:mm:ss'

export type IdempotencyOutcome =
  { kind: 'proceed'; record: IdempotencyKey } | { kind: 'replay'; status: number; body: string }

/** Same JSON, same digest: key order and whitespace do not make a body "different". */
export function requestDigest(method: string, path: string, body: unknown) {
  // Keyed with the app key: bodies can hold passwords (console user changes), and a
  // plain digest kept for 24 h could be brute-forced offline by a database reader.
  return createHmac('sha256', env.get('APP_KEY').release())
    .update(`${method} ${path}\n`)
    .update(canonicalJson(body))
    .digest('hex')
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map(
        (key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`
      )
    return `{${entries.join(',')}}`
  }
  return JSON.stringify(value ?? null)
}

export function validateKey(key: string) {
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new ProblemException({
      status: 400,
      slug: 'invalid-idempotency-key',
      title: 'Invalid Idempotency-Key',
      detail: `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} characters`,
      errors: [
        {
          pointer: '',
          rule: 'idempotencyKey',
          message: `header length must be 1..${MAX_KEY_LENGTH}`,
        },
      ],
    })
  }
}

/**
 * Claims a key for this request, or tells the caller what to do instead:
 * replay the stored response, or fail with 409 (in flight) / 422 (reused with a
 * different body). The unique (scope, key) index makes the claim atomic across
 * processes.
 */
export async function begin(
  scope: string,
  key: string,
  method: string,
  path: string,
  digest: string
): Promise<IdempotencyOutcome> {
  validateKey(key)
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = DateTime.utc()
    try {
      const record = await IdempotencyKey.create({
        scope,
        key,
        method,
        path,
        requestHash: digest,
        state: 'in_flight',
        lockedUntil: now.plus({ seconds: IN_FLIGHT_LEASE_SECONDS }),
        expiresAt: now.plus({ hours: RETENTION_HOURS }),
      })
      return { kind: 'proceed', record }
    } catch (error) {
      if (!isUniqueViolation(error)) throw error
    }

    const existing = await IdempotencyKey.query().where({ scope, key }).first()
    if (!existing) continue // pruned or released between our insert and select: try again
    if (existing.expiresAt <= now) {
      await IdempotencyKey.query()
        .where('id', existing.id)
        .where('expires_at', existing.expiresAt.toFormat(SQL_DATETIME))
        .delete()
      continue
    }
    if (existing.requestHash !== digest) {
      throw new ProblemException({
        status: 422,
        slug: 'idempotency-key-reused',
        title: 'Idempotency-Key reused',
        detail:
          'This Idempotency-Key was already used with a different request; use a new key for a new request',
        errors: [
          {
            pointer: '',
            rule: 'idempotencyKey',
            message: 'key already used with a different body or path',
          },
        ],
      })
    }
    if (existing.state === 'completed') {
      return { kind: 'replay', status: existing.responseStatus!, body: existing.responseBody ?? '' }
    }
    if (existing.lockedUntil > now) {
      throw new ProblemException({
        status: 409,
        slug: 'idempotency-key-in-flight',
        title: 'Request in progress',
        detail: 'A request with this Idempotency-Key is still being processed; retry later',
        headers: { 'retry-after': '1' },
      })
    }
    // The previous holder died mid-request: take over its lease, once.
    const taken = await IdempotencyKey.query()
      .where('id', existing.id)
      .where('state', 'in_flight')
      .where('locked_until', existing.lockedUntil.toFormat(SQL_DATETIME))
      .update({
        locked_until: now.plus({ seconds: IN_FLIGHT_LEASE_SECONDS }).toFormat(SQL_DATETIME),
      })
    if (affected(taken) === 1) {
      return { kind: 'proceed', record: existing }
    }
  }
  throw ProblemException.conflict(
    'Could not claim the Idempotency-Key; retry',
    'idempotency-key-in-flight'
  )
}

export async function complete(record: IdempotencyKey, status: number, body: string) {
  await IdempotencyKey.query().where('id', record.id).update({
    state: 'completed',
    response_status: status,
    response_body: body,
  })
}

/** Nothing was stored (the request failed before producing a result): allow a retry. */
export async function release(record: IdempotencyKey) {
  await IdempotencyKey.query().where('id', record.id).where('state', 'in_flight').delete()
}

let lastPrunedAt = 0
export async function pruneExpired(force = false) {
  const nowMs = Date.now()
  if (!force && nowMs - lastPrunedAt < 60_000) return 0
  lastPrunedAt = nowMs
  const result = await db
    .from('idempotency_keys')
    .where('expires_at', '<', DateTime.utc().toFormat(SQL_DATETIME))
    .delete()
  return affected(result)
}

function affected(result: unknown): number {
  if (typeof result === 'number') return result
  if (Array.isArray(result)) return Number(result[0] ?? 0)
  return 0
}

export function isUniqueViolation(error: unknown) {
  const err = error as { code?: string; errno?: number }
  return (
    err.code === 'ER_DUP_ENTRY' ||
    err.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  )
}
