import { type DateTime } from 'luxon'
import Order from '#models/order'
import ProblemException from '#exceptions/problem'
import type { OrderStatus } from '#services/order_status'

export interface OrderListFilters {
  status?: OrderStatus
  store_id?: number
  channel?: string
  batch_id?: number
  created_from?: DateTime
  created_to?: DateTime
  cursor?: string
  limit: number
}

export function encodeCursor(id: number) {
  return Buffer.from(`o:${id}`).toString('base64url')
}

export function decodeCursor(cursor: string): number {
  const match = /^o:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString())
  if (!match) {
    throw ProblemException.invalid(
      [{ pointer: '/cursor', rule: 'cursor', message: 'is not a cursor this API issued' }],
      'Invalid cursor'
    )
  }
  return Number(match[1])
}

/**
 * Newest first, keyset-paginated by id: stable under concurrent inserts and
 * cheap at any depth (the (merchant_id, …, id) indexes serve every filter).
 * `merchantId` null means every merchant (staff only).
 */
export async function listOrders(merchantId: number | null, filters: OrderListFilters) {
  const query = Order.query()
    .orderBy('id', 'desc')
    .limit(filters.limit + 1)
  if (merchantId !== null) query.where('merchant_id', merchantId)
  if (filters.status) query.where('status', filters.status)
  if (filters.store_id) query.where('store_id', filters.store_id)
  if (filters.channel) query.where('channel', filters.channel)
  if (filters.batch_id) query.where('batch_id', filters.batch_id)
  if (filters.created_from)
    query.where('created_at', '>=', filters.created_from.toUTC().toFormat('yyyy-MM-dd HH:mm:ss'))
  if (filters.created_to)
    query.where('created_at', '<', filters.created_to.toUTC().toFormat('yyyy-MM-dd HH:mm:ss'))
  if (filters.cursor) query.where('id', '<', decodeCursor(filters.cursor))

  const rows = await query
  const hasMore = rows.length > filters.limit
  const orders = hasMore ? rows.slice(0, filters.limit) : rows
  const nextCursor = hasMore ? encodeCursor(orders[orders.length - 1].id) : null
  return { orders, nextCursor }
}

/** Another merchant's order is reported as missing, never as forbidden. */
export async function findOrder(merchantId: number | null, id: number) {
  const query = Order.query().where('id', id)
  if (merchantId !== null) query.where('merchant_id', merchantId)
  const order = await query.first()
  if (!order) throw ProblemException.notFound(`Order ${id}`)
  return order
}
