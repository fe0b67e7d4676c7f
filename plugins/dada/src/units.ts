/**
 * Dada's codes and units in one place: order status codes, error codes, money
 * (yuan as JSON numbers), weight (kg), times (unix seconds in callbacks,
 * "yyyy-MM-dd HH:mm:ss" Beijing time in status queries) and coordinates (GCJ-02
 * decimals, "高德坐标系"). Facts marked (unconfirmed) are listed in the README.
 */
import { fenToYuanNumber, roundCoordinate, yuanToFen, type StatusMap } from '../../sdk/index.js'

/**
 * Every order status Dada documents. Dada has no separate "picked up" event: 3
 * (配送中) is sent when the rider takes the goods, so it is the pickup.
 */
export const STATUS_MAP: StatusMap = {
  '1': 'dispatching', // 待接单
  '2': 'accepted', // 待取货
  '3': 'picked_up', // 配送中
  '4': 'delivered', // 已完成
  '5': 'cancelled', // 已取消
  '7': 'failed', // 已过期: nobody accepted in time
  '8': 'accepted', // 指派单: assigned to a rider by Dada
  '9': 'failed', // 妥投异常之物品返回中
  '10': 'failed', // 妥投异常之物品返回完成
  '100': 'arrived_at_store', // 骑士到店
  '1000': 'failed', // 创建达达运单失败
}

/** Response `code` values the plugin reacts to (unconfirmed except 0). */
export const ERROR_CODES = {
  ok: 0,
  systemError: -1,
  badAppKey: 2001,
  missingParams: 2002,
  badSignature: 2003,
  badTimestamp: 2004,
  badSourceId: 2005,
  orderNotFound: 2071,
  insufficientBalance: 2076,
  duplicateOrder: 2105,
  deliveryNoExpired: 2159,
  outOfRange: 2401,
  noCapacity: 2402,
  cannotCancel: 2060,
} as const

/** cancel_reason_id values (confirmed: 1, 4, 10000 from Dada's reason list). */
export const CANCEL_REASONS: Readonly<Record<string, number>> = {
  no_rider: 1,
  customer_cancelled: 4,
  wrong_order: 5,
}
export const CANCEL_REASON_OTHER = 10000

/** cargo_type per hub category (Dada's business types: 1 food, 3 flowers, 8 documents, 20 medicine, 21 cake, 5 other). */
export const CARGO_TYPES: Readonly<Record<string, number>> = {
  food: 1,
  drinks: 2,
  flowers: 3,
  documents: 8,
  convenience: 9,
  fresh: 13,
  medicine: 20,
  cake: 21,
}
export const CARGO_TYPE_OTHER = 5

/** deliveryNo is valid for 3 minutes (Dada's queryDeliverFee documentation). */
export const QUOTE_VALIDITY_S = 180

/** Dada quotes no ETA; the hub needs one, so it is estimated (unconfirmed: Dada's own SLAs vary by city). */
export const PICKUP_ETA_S = 900
export const RIDER_SPEED_M_PER_S = 4

export const toDadaMoney = (fen: number): number => fenToYuanNumber(fen)

export const fromDadaMoney = (yuan: number | string): number => yuanToFen(yuan)

/** Tips are yuan with one decimal: whole jiao only. */
export const isWholeJiao = (fen: number): boolean => fen % 10 === 0

export const toDadaTip = (fen: number): number => Math.floor(fen / 10) / 10

export const toDadaWeightKg = (grams: number): number => Math.round(grams) / 1000

export const toDadaCoordinate = (value: number): number => roundCoordinate(value, 6)

/** Callback update_time: unix seconds, except status 1000 which Dada stamps in milliseconds. */
export function fromDadaCallbackTime(updateTime: number | string, status: string): string {
  const value = Number(updateTime)
  return new Date(status === '1000' ? value : value * 1000).toISOString()
}

/** "2025-01-01 16:05:00" (Beijing time, no zone) to ISO-8601; '' or null gives null. */
export function fromDadaDateTime(value: string | null | undefined): string | null {
  if (!value) return null
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(value.trim())
  if (!match) return null
  return new Date(`${match[1]}T${match[2]}+08:00`).toISOString()
}
