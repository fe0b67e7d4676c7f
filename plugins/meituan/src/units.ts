/**
 * Meituan Peisong's codes and units in one place: status codes, error codes,
 * money (yuan; tips whole yuan), weight (kg), coordinates (GCJ-02 as integers
 * ×1e6 with coordinate_type 0) and times (unix seconds). Facts marked
 * (unconfirmed) are listed in the README.
 */
import {
  fenToYuan,
  fromScaledInteger,
  sha256Hex,
  toScaledInteger,
  yuanToFen,
  type StatusMap,
} from '../../sdk/index.js'

/** Every status Meituan documents. Callbacks may skip or repeat one, never go back. */
export const STATUS_MAP: StatusMap = {
  '0': 'dispatching', // 待调度
  '20': 'accepted', // 已接单
  '30': 'picked_up', // 已取货
  '50': 'delivered', // 已送达
  '99': 'cancelled', // 已取消
}

/** Response `code` values (unconfirmed except 0). */
export const ERROR_CODES = {
  ok: 0,
  systemBusy: 1,
  invalidParams: 2,
  badSignature: 3,
  badAppKey: 4,
  staleTimestamp: 5,
  orderNotFound: 6,
  outOfRange: 7,
  noCapacity: 8,
  insufficientBalance: 9,
  statusForbids: 10,
  rateLimited: 11,
} as const

/** cancel_reason_id: 101 customer cancelled, 199 other reason on the merchant side. */
export const CANCEL_REASONS: Readonly<Record<string, number>> = { customer_cancelled: 101 }
export const CANCEL_REASON_OTHER = 199

/** coordinate_type 0 = 火星坐标 (GCJ-02, Amap/Tencent); 1 would be Baidu. */
export const COORDINATE_TYPE_GCJ02 = '0'
export const PAY_TYPE_ACCOUNT = '0'

/** addTip: whole yuan, at most 20 per call (Meituan's addTip documentation). */
export const MAX_TIP_YUAN = 20

/**
 * The preview has no validity and no ETA; the plugin keeps prices 5 minutes and
 * estimates ETAs from the service code's promised delivery time (unconfirmed).
 */
export const QUOTE_VALIDITY_S = 300
export const PICKUP_ETA_S = 900
export const SERVICE_DELIVERY_S: Readonly<Record<number, number>> = {
  4002: 45 * 60,
  4011: 60 * 60,
  4012: 120 * 60,
  4013: 120 * 60,
}
export const DEFAULT_DELIVERY_S = 60 * 60

export const toMeituanMoney = (fen: number): string => fenToYuan(fen)

export const fromMeituanMoney = (yuan: number | string): number => yuanToFen(yuan)

export const toMeituanWeightKg = (grams: number): string => (grams / 1000).toFixed(2)

export const toMeituanCoordinate = (value: number): number => toScaledInteger(value, 1e6)

export const fromMeituanCoordinate = (value: number | string): number =>
  fromScaledInteger(value, 1e6)

export const fromMeituanTime = (seconds: number | string): string =>
  new Date(Number(seconds) * 1000).toISOString()

/**
 * delivery_id must be a number and stay the same when the hub retries, so it is
 * derived from the hub's idempotency key: 13 hex digits of its SHA-256 (< 2^52).
 */
export const deliveryIdFor = (key: string): number =>
  Number.parseInt(sha256Hex(key).slice(0, 13), 16)

/**
 * Follow-up calls need both Meituan's mt_peisong_id and the caller's delivery_id,
 * so the hub's carrier order id carries both: "<mt_peisong_id>:<delivery_id>".
 */
export const carrierOrderIdOf = (mtPeisongId: string, deliveryId: number | string): string =>
  `${mtPeisongId}:${deliveryId}`

export function splitCarrierOrderId(carrierOrderId: string): {
  mtPeisongId: string
  deliveryId: string
} {
  const cut = carrierOrderId.lastIndexOf(':')
  return cut <= 0
    ? { mtPeisongId: carrierOrderId, deliveryId: '' }
    : { mtPeisongId: carrierOrderId.slice(0, cut), deliveryId: carrierOrderId.slice(cut + 1) }
}
