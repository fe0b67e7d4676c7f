/**
 * Fengniao v3's codes and units in one place: order status codes, error codes,
 * money (integer fen, the `_cent` fields), weight (kg), coordinates (GCJ-02
 * decimals with position_source 3 = Amap) and times (milliseconds). Facts marked
 * (unconfirmed) are listed in the README.
 */
import { roundCoordinate, type StatusMap } from '../../sdk/index.js'

/**
 * Every order status of getOrderDetail and the status callback. 2 (配送中) is sent
 * when the rider leaves the store with the goods, so it is the pickup.
 */
export const STATUS_MAP: StatusMap = {
  '0': 'created', // 订单生成
  '1': 'dispatching', // 运单生成成功
  '20': 'accepted', // 骑手接单
  '80': 'arrived_at_store', // 骑手到店
  '2': 'picked_up', // 配送中
  '3': 'delivered', // 已完成
  '4': 'cancelled', // 已取消
  '5': 'failed', // 配送异常
}

/** Envelope `code` values (unconfirmed except "200"). */
export const ERROR_CODES = {
  ok: '200',
  invalidParams: '40000',
  badSignature: '40001',
  tokenInvalid: '40002',
  staleTimestamp: '40003',
  orderNotFound: '40004',
  duplicateOrder: '40005',
  statusForbids: '40006',
  outOfRange: '40010',
  noCapacity: '40011',
  insufficientBalance: '40012',
  rateLimited: '42900',
  systemError: '50000',
} as const

export const API_VERSION = '1.0'
/** 1 = 即时单 (deliver now); 3 would be a scheduled order. */
export const ORDER_TYPE_NOW = 1
/** Coordinates come from Amap (GCJ-02): 1 Tencent, 2 Baidu, 3 Amap. */
export const POSITION_SOURCE_AMAP = 3
/** order_cancel_role: 1 the merchant cancels. */
export const CANCEL_ROLE_MERCHANT = 1
/** The free-text cancel reason is limited to 20 characters. */
export const CANCEL_REASON_MAX = 20

/** preCreateOrder has no validity (unconfirmed); prices are kept 5 minutes. */
export const QUOTE_VALIDITY_S = 300
/** Used when the quote carries no predicted time (unconfirmed). */
export const PICKUP_ETA_S = 900
export const RIDER_SPEED_M_PER_S = 4

export const toFengniaoWeightKg = (grams: number): number => Math.round(grams) / 1000

export const toFengniaoCoordinate = (value: number): number => roundCoordinate(value, 6)

export const fromFengniaoTime = (milliseconds: number | string): string =>
  new Date(Number(milliseconds)).toISOString()

/** Fen must be a whole number; anything else in a `_cent` field is a protocol problem. */
export function fromFengniaoCents(value: unknown, field: string): number {
  const cents = Number(value)
  if (!Number.isSafeInteger(cents))
    throw new RangeError(`${field} is not whole fen: ${String(value)}`)
  return cents
}
