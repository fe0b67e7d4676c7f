import { TERMINAL_STATUSES, type OrderStatus } from '#services/order_status'

/**
 * Ranks of the unified statuses. An order only ever moves to a higher rank, so a
 * late "accepted" after "picked_up", a duplicate "delivering" or a replayed
 * callback changes nothing. Terminal statuses outrank every live one.
 */
const RANK: Record<OrderStatus, number> = {
  created: 0,
  quoting: 1,
  dispatching: 2,
  accepted: 3,
  arrived_at_store: 4,
  picked_up: 5,
  delivering: 6,
  delivered: 100,
  cancelled: 100,
  failed: 100,
}

export function rankOf(status: OrderStatus) {
  return RANK[status]
}

export function isTerminal(status: OrderStatus) {
  return TERMINAL_STATUSES.has(status)
}

/**
 * May an order in `from` move to `to`? Forward only; nothing leaves a terminal
 * status. The dispatcher may step back from `dispatching` to `quoting` when a
 * candidate times out (reassignment), which callbacks never can.
 */
export function canMove(from: OrderStatus, to: OrderStatus, options: { reassign?: boolean } = {}) {
  if (isTerminal(from)) return false
  if (options.reassign && from === 'dispatching' && to === 'quoting') return true
  return RANK[to] > RANK[from]
}
