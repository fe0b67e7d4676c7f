/**
 * The hub's unified delivery status. Every carrier code maps to exactly one of these.
 * The rank lets the hub ignore late or duplicated callbacks: an order only moves to a
 * status of higher rank (terminal statuses end the journey).
 */
export const UNIFIED_STATUSES = [
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

export type UnifiedStatus = (typeof UNIFIED_STATUSES)[number]

export const TERMINAL_STATUSES: readonly UnifiedStatus[] = ['delivered', 'cancelled', 'failed']

/**
 * Rank of each status. The three terminal statuses share the top rank: once an order
 * is delivered, cancelled or failed, nothing moves it again.
 */
export const STATUS_RANK: Readonly<Record<UnifiedStatus, number>> = {
  created: 0,
  quoting: 1,
  dispatching: 2,
  accepted: 3,
  arrived_at_store: 4,
  picked_up: 5,
  delivering: 6,
  delivered: 7,
  cancelled: 7,
  failed: 7,
}

export function isUnifiedStatus(value: unknown): value is UnifiedStatus {
  return typeof value === 'string' && (UNIFIED_STATUSES as readonly string[]).includes(value)
}

export function isTerminalStatus(status: UnifiedStatus): boolean {
  return TERMINAL_STATUSES.includes(status)
}

/**
 * True when moving from `current` to `next` is a forward move the hub should apply.
 * Duplicates (same status) and backward moves are not.
 */
export function isForwardMove(current: UnifiedStatus, next: UnifiedStatus): boolean {
  if (isTerminalStatus(current)) return false
  return STATUS_RANK[next] > STATUS_RANK[current]
}

/** A carrier's own status codes (as strings, even when the carrier sends numbers). */
export type StatusMap = Readonly<Record<string, UnifiedStatus>>
