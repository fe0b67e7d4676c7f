/**
 * The hub's unified order statuses, ranked: a carrier event may only move an order
 * to a higher rank. `cancelled` and `failed` are terminal beside `delivered`.
 */
export const ORDER_STATUSES = [
  'created',
  'quoting',
  'dispatching',
  'accepted',
  'arrived_at_store',
  'picked_up',
  'delivering',
  'delivered',
  'cancelled',
  'failed',
] as const
export type OrderStatus = (typeof ORDER_STATUSES)[number]

export const TERMINAL_STATUSES: ReadonlySet<OrderStatus> = new Set([
  'delivered',
  'cancelled',
  'failed',
])

/** Once a rider has the goods, the merchant can no longer cancel through the hub. */
export const CANCELLABLE_STATUSES: ReadonlySet<OrderStatus> = new Set([
  'created',
  'quoting',
  'dispatching',
  'accepted',
  'arrived_at_store',
])

export const ORDER_CATEGORIES = [
  'food',
  'drinks',
  'fresh',
  'grocery',
  'medicine',
  'flowers',
  'cake',
  'documents',
  'electronics',
  'other',
] as const
export type OrderCategory = (typeof ORDER_CATEGORIES)[number]
