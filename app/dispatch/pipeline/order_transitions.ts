import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import emitter from '@adonisjs/core/services/emitter'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { OrderStatus } from '#services/order_status'
import { canMove } from '#dispatch/pipeline/status_machine'

export const SQL_DATETIME = 'yyyy-MM-dd HH:mm:ss'

export function sqlTime(at: DateTime = DateTime.utc()) {
  return at.toUTC().toFormat(SQL_DATETIME)
}

export interface MoveOptions {
  /** Who moved it: `dispatcher`, `carrier:dada`, `operator:12`, `merchant`. */
  source: string
  attemptNo?: number
  detail?: Record<string, unknown>
  /** Allow dispatching → quoting (the dispatcher trying the next carrier). */
  reassign?: boolean
  /** Extra order columns written in the same UPDATE (fee_fen, accepted_at...). */
  columns?: Record<string, unknown>
  client?: TransactionClientContract
  /**
   * The order's row as the caller just read it: saves the first read. It is only a
   * guess; the conditional UPDATE checks it, and a stale guess costs a re-read.
   */
  known?: OrderRowForMove
  /**
   * A timeline entry written in the move's transaction, just before the status row
   * (the carrier event that caused the move): one commit instead of two. Not written
   * when the order does not move; the caller records it on its own then.
   */
  entry?: TimelineEntry
}

export interface TimelineEntry {
  kind: 'attempt' | 'carrier_event' | 'operator' | 'note'
  source: string
  detail: Record<string, unknown>
  attemptNo?: number
}

export interface OrderRowForMove {
  status: string
  merchant_id: number | string
  batch_id: number | string | null
}

export interface OrderStatusChanged {
  orderId: number
  merchantId: number
  batchId: number | null
  from: OrderStatus
  to: OrderStatus
  source: string
  at: string
}

declare module '@adonisjs/core/types' {
  interface EventsList {
    'order:status': OrderStatusChanged
  }
}

/**
 * Moves an order forward, or does nothing. The UPDATE is conditional on the
 * current status being one the move is allowed from, so concurrent callbacks,
 * polls and dispatcher steps cannot move an order backwards or twice: whoever
 * loses the race affects zero rows. Every move lands in the order's timeline.
 */
export async function moveOrder(
  orderId: number,
  to: OrderStatus,
  options: MoveOptions
): Promise<boolean> {
  const reader = options.client ?? db
  // The status is read outside the transaction and re-checked by the UPDATE, so the
  // transaction starts with a write: on SQLite a read-then-write transaction fails
  // (SQLITE_BUSY) when another process commits in between, instead of waiting.
  for (let attempt = 0; attempt < 5; attempt++) {
    const current: OrderRowForMove | null =
      attempt === 0 && options.known
        ? options.known
        : await reader
            .from('orders')
            .select('status', 'merchant_id', 'batch_id')
            .where('id', orderId)
            .first()
    if (!current || !canMove(current.status as OrderStatus, to, { reassign: options.reassign })) {
      // A guess that forbids the move may be stale: read the row before giving up.
      if (attempt === 0 && options.known) continue
      return false
    }
    const now = sqlTime()
    const write = async (trx: TransactionClientContract) => {
      const affected = await trx
        .from('orders')
        .where('id', orderId)
        .where('status', current.status)
        .update({ status: to, updated_at: now, ...options.columns })
      if (Number(Array.isArray(affected) ? affected[0] : affected) !== 1) return false
      if (options.entry) await insertEntry(trx, orderId, options.entry, now)
      await trx.table('order_events').insert({
        order_id: orderId,
        kind: 'status',
        from_status: current.status,
        to_status: to,
        attempt_no: options.attemptNo ?? null,
        source: options.source,
        detail: options.detail ? JSON.stringify(options.detail) : null,
        created_at: now,
      })
      return true
    }
    const moved = options.client ? await write(options.client) : await db.transaction(write)
    if (!moved) continue // the status changed under us: look again
    const change: OrderStatusChanged = {
      orderId,
      merchantId: Number(current.merchant_id),
      batchId: current.batch_id === null ? null : Number(current.batch_id),
      from: current.status as OrderStatus,
      to,
      source: options.source,
      at: now,
    }
    if (options.client) {
      options.client.after('commit', () => void emitter.emit('order:status', change))
    } else {
      void emitter.emit('order:status', change)
    }
    return true
  }
  return false
}

/** A timeline entry that is not a status change (attempt outcome, raw carrier event, operator note). */
export async function recordOrderEvent(
  orderId: number,
  kind: TimelineEntry['kind'],
  source: string,
  detail: Record<string, unknown>,
  options: { attemptNo?: number; client?: TransactionClientContract } = {}
) {
  await insertEntry(
    options.client ?? db,
    orderId,
    { kind, source, detail, attemptNo: options.attemptNo },
    sqlTime()
  )
}

async function insertEntry(
  client: TransactionClientContract | typeof db,
  orderId: number,
  entry: TimelineEntry,
  at: string
) {
  await client.table('order_events').insert({
    order_id: orderId,
    kind: entry.kind,
    from_status: null,
    to_status: null,
    attempt_no: entry.attemptNo ?? null,
    source: entry.source,
    detail: JSON.stringify(entry.detail),
    created_at: at,
  })
}
