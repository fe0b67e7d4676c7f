/**
 * The fleet API's units and codes, in one place: status codes, error codes, money
 * (yuan strings with two decimals) and coordinates (GCJ-02 decimals, 6 digits).
 */
import { fenToYuan, roundCoordinate, yuanToFen, type StatusMap } from '../../sdk/index.js'

/** Every status the fleet API documents, mapped to the hub's unified status. */
export const STATUS_MAP: StatusMap = {
  created: 'created',
  pending: 'dispatching',
  assigned: 'accepted',
  arrived: 'arrived_at_store',
  picked_up: 'picked_up',
  delivering: 'delivering',
  delivered: 'delivered',
  cancelled: 'cancelled',
  returned: 'failed',
  failed: 'failed',
}

/** Fleet API error codes (the `code` field of the response envelope). */
export const ERROR_CODES = {
  ok: 0,
  invalidParams: 40001,
  quoteExpired: 40002,
  badKey: 40101,
  badSignature: 40102,
  notFound: 40401,
  noRiders: 42201,
  outOfArea: 42202,
  tooLate: 42203,
  rateLimited: 42901,
} as const

export const toFleetMoney = (fen: number): string => fenToYuan(fen)

export const fromFleetMoney = (yuan: string | number): number => yuanToFen(yuan)

/** The fleet API takes the hub's GCJ-02 as is, rounded to 6 decimals (about 0.1 m). */
export const toFleetCoordinate = (value: number): number => roundCoordinate(value, 6)

/** Unix seconds to ISO-8601. */
export const fromFleetTime = (seconds: number): string => new Date(seconds * 1000).toISOString()
