import db from '@adonisjs/lucid/services/db'
import ProblemException from '#exceptions/problem'
import { ORDER_STATUSES } from '#services/order_status'
import { dbTimeIso } from '#services/db_time'

function percentile(sorted: number[], p: number) {
  if (sorted.length === 0) return null
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  return sorted[Math.max(0, index)]
}

/**
 * A batch's progress and throughput: orders per status, how many reached a
 * carrier, orders/s from intake to dispatched, and p50/p99 latency from intake to
 * dispatched (millisecond clocks stamped at intake and at dispatch).
 * `merchantId` null = staff view of any merchant's batch.
 */
export async function batchProgress(merchantId: number | null, batchId: number) {
  const query = db.from('batches').where('id', batchId)
  if (merchantId !== null) query.where('merchant_id', merchantId)
  const batch = await query.first()
  if (!batch) throw ProblemException.notFound(`Batch ${batchId}`)

  const counts = await db
    .from('orders')
    .where('batch_id', batchId)
    .select('status')
    .count('* as n')
    .groupBy('status')
  const byStatus = Object.fromEntries(ORDER_STATUSES.map((status) => [status, 0])) as Record<
    string,
    number
  >
  for (const row of counts) byStatus[row.status] = Number(row.n)

  const timings = await db
    .from('orders')
    .where('batch_id', batchId)
    .whereNotNull('dispatched_at_ms')
    .select('received_at_ms', 'dispatched_at_ms')
  const latencies = timings
    .map((row) => Number(row.dispatched_at_ms) - Number(row.received_at_ms))
    .sort((a, b) => a - b)
  const first = timings.reduce(
    (min, row) => Math.min(min, Number(row.received_at_ms)),
    Number.POSITIVE_INFINITY
  )
  const last = timings.reduce((max, row) => Math.max(max, Number(row.dispatched_at_ms)), 0)
  const seconds = timings.length > 0 ? Math.max(0.001, (last - first) / 1000) : null

  const total = Number(batch.accepted)
  const open = byStatus.created + byStatus.quoting
  return {
    id: Number(batch.id),
    merchant_id: Number(batch.merchant_id),
    total,
    by_status: byStatus,
    dispatched: timings.length,
    failed: byStatus.failed,
    finished: open === 0,
    throughput: {
      orders_per_s: seconds ? Math.round((timings.length / seconds) * 10) / 10 : null,
      p50_ms: percentile(latencies, 50),
      p99_ms: percentile(latencies, 99),
    },
    created_at: dbTimeIso(batch.created_at),
  }
}

/** Failed orders (and orders whose last carrier dropped them) waiting for a person. */
export async function exceptionQueue(
  merchantId: number | null,
  options: { limit: number; cursor?: number }
) {
  const query = db
    .from('orders')
    .where('status', 'failed')
    .orderBy('id', 'desc')
    .limit(options.limit + 1)
    .select(
      'id',
      'merchant_id',
      'store_id',
      'batch_id',
      'external_id',
      'status',
      'failure_reason',
      'updated_at',
      'created_at'
    )
  if (merchantId !== null) query.where('merchant_id', merchantId)
  if (options.cursor) query.where('id', '<', options.cursor)
  const rows = await query
  const more = rows.length > options.limit
  const page = more ? rows.slice(0, options.limit) : rows
  return {
    items: page.map((row) => ({
      order_id: Number(row.id),
      merchant_id: Number(row.merchant_id),
      store_id: Number(row.store_id),
      batch_id: row.batch_id === null ? null : Number(row.batch_id),
      external_id: row.external_id,
      status: row.status,
      reason: row.failure_reason,
      failed_at: dbTimeIso(row.updated_at),
      created_at: dbTimeIso(row.created_at),
    })),
    nextCursor: more ? Number(page[page.length - 1].id) : null,
  }
}
