/**
 * Shansong's units and codes, in one place: order statuses, envelope status codes,
 * money (integer fen), coordinates (BD-09 strings) and times ("yyyy-MM-dd HH:mm:ss",
 * Beijing time). Entries marked "unconfirmed" are best guesses; each is covered by a
 * fixture so correcting it is a one-line change here.
 */
import {
  bd09ToGcj02,
  centsToFen,
  gcj02ToBd09,
  ProtocolError,
  type LatLng,
  type StatusMap,
} from '../../sdk/index.js'

/** Shansong's orderStatus enum (闪送开放平台 orderInfo). */
export const STATUS_MAP: StatusMap = {
  /** 派单中: placed, looking for a courier. */
  '20': 'dispatching',
  /** 待取货: a courier accepted and heads to the store. */
  '30': 'accepted',
  /** 闪送中: picked up. Shansong has no separate "on the way" code. */
  '40': 'picked_up',
  /** 已完成. */
  '50': 'delivered',
  /** 已取消. */
  '60': 'cancelled',
}

/** The envelope's `status`; 200 is success. The others are unconfirmed. */
export const STATUS_CODES = {
  ok: 200,
  invalidParams: 400,
  badSignature: 401,
  forbidden: 403,
  orderNotFound: 404,
  rateLimited: 429,
  systemError: 500,
  outOfServiceArea: 30001,
  noCourier: 30002,
  cannotAbort: 30003,
  quoteExpired: 30004,
  insufficientBalance: 30005,
} as const

/** addition: price bumps in fen, whole yuan (steps of 100), at most 100 yuan. */
export const ADDITION_STEP_FEN = 100
export const ADDITION_MAX_FEN = 10_000

/** appointType 0 = 立即单 (deliver now). */
export const APPOINT_NOW = 0

/** orderNumber validity is not documented; the hub treats a quote as good for 10 min. */
export const QUOTE_VALIDITY_S = 600

/** goodType per hub category (物品类型: 1 文件 3 数码 5 蛋糕 6 餐饮 7 鲜花 10 其他 13 医药 15 商超 16 水果). */
const GOOD_TYPES: Readonly<Record<string, number>> = {
  documents: 1,
  digital: 3,
  cake: 5,
  food: 6,
  flowers: 7,
  medicine: 13,
  grocery: 15,
  fruit: 16,
}
const GOOD_TYPE_OTHER = 10

export const goodTypeFor = (category: string): number => GOOD_TYPES[category] ?? GOOD_TYPE_OTHER

/** weight: whole kilograms rounded up, at least 1. */
export const toShansongWeightKg = (grams: number): number => Math.max(1, Math.ceil(grams / 1000))

/** Shansong speaks fen, like the hub; this only checks that the amount is an integer. */
export const toShansongMoney = (fen: number): number => centsToFen(fen)
export const fromShansongMoney = (fen: number | string): number => centsToFen(fen)

/**
 * Coordinates are BD-09 (百度) strings. Unconfirmed, inferred from orderInfo returning
 * separate gcj02Lat/gcj02Lng next to latitude/longitude.
 */
export function toShansongPoint(point: LatLng): { lat: string; lng: string } {
  const bd = gcj02ToBd09(point)
  return { lat: bd.lat.toFixed(6), lng: bd.lng.toFixed(6) }
}

export function fromShansongPoint(lat: number | string, lng: number | string): LatLng {
  const gcj = bd09ToGcj02({ lat: Number(lat), lng: Number(lng) })
  return { lat: Number(gcj.lat.toFixed(6)), lng: Number(gcj.lng.toFixed(6)) }
}

/** "2025-01-01 16:00:00" in Beijing time (UTC+8, no DST) to ISO-8601. */
export function fromShansongTime(text: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(text.trim())
  if (!match) throw new ProtocolError(`Unexpected Shansong time "${text}"`, { code: 'bad_time' })
  return new Date(`${match[1]}T${match[2]}+08:00`).toISOString()
}
