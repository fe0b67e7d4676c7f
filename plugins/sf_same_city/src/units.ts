/**
 * SF Same-city's units and codes, in one place: order statuses, error codes, money
 * (integer fen), coordinates (GCJ-02 "高德" strings, lbs_type 2) and times (unix
 * seconds). Entries marked "unconfirmed" are best guesses from public integrations;
 * each is covered by a fixture so correcting it is a one-line change here.
 */
import { centsToFen, roundCoordinate, type StatusMap } from '../../sdk/index.js'

/** Every order_status SF documents or is known to send, mapped to the hub's status. */
export const STATUS_MAP: StatusMap = {
  /** 订单创建 (unconfirmed: seen in status queries, never in callbacks). */
  '1': 'created',
  /** 订单取消. */
  '2': 'cancelled',
  /** 配送员接单 / 改派后重新接单. */
  '10': 'accepted',
  /** 配送员到店. */
  '12': 'arrived_at_store',
  /** 配送员配送中 (已取货): SF has no separate "picked up" code, so this is the pickup. */
  '15': 'picked_up',
  /** 配送员妥投完单. */
  '17': 'delivered',
  /** 配送员撤单, the order goes back to dispatch (unconfirmed). */
  '22': 'dispatching',
  /**
   * 骑士上报异常 (unconfirmed). The outcome arrives as a later code; mapped to the lowest
   * active rank so it never moves an order, while the event note keeps the reason.
   */
  '91': 'dispatching',
}

/** The `error_code` of SF's response envelope. Only 0 and 3006 are seen in public code. */
export const ERROR_CODES = {
  ok: 0,
  /** 系统繁忙 (unconfirmed). */
  systemBusy: 1000,
  /** 参数错误 (unconfirmed). */
  invalidParams: 1001,
  /** 签名校验失败 (unconfirmed). */
  badSignature: 1002,
  /** dev_id 无效或未授权该店铺 (unconfirmed). */
  badDevId: 1003,
  /** 请求过于频繁 (unconfirmed). */
  rateLimited: 1010,
  /** 订单不存在 (unconfirmed). */
  orderNotFound: 2001,
  /** 订单当前状态不可操作（如已取件不可取消）(unconfirmed). */
  invalidState: 2004,
  /** 运力不足，暂无骑士 (unconfirmed). */
  noCapacity: 3002,
  /** 超出配送范围 (seen in a public integration). */
  outOfRange: 3006,
} as const

/** Coordinates sent with lbs_type 2 (高德 = GCJ-02): the hub's values as 6-decimal strings. */
export const LBS_TYPE_GCJ02 = 2

/** order_type 1: follow-up calls address the order by SF's own sf_order_id. */
export const ORDER_TYPE_SF_ID = 1

/** cancel_code 313 = 商家发起取消 (the SDK default when none is given). */
export const CANCEL_CODE_MERCHANT = 313

/** createorder `version`: the field set this plugin sends (unconfirmed which is current). */
export const API_VERSION = 19

/**
 * SF's pre-create answer carries no token, so the hub needs its own validity window;
 * createorder re-prices anyway and returns the charged fee.
 */
export const QUOTE_VALIDITY_S = 600

/** SF product_type per hub category (unconfirmed beyond 1 = 快餐 and 8 = 饮品). */
export const PRODUCT_TYPES: Readonly<Record<string, number>> = {
  food: 1,
  medicine: 2,
  fresh: 6,
  drinks: 8,
  documents: 12,
  cake: 13,
  flowers: 14,
  digital: 15,
}
export const PRODUCT_TYPE_OTHER = 99

export const productTypeFor = (category: string): number =>
  PRODUCT_TYPES[category] ?? PRODUCT_TYPE_OTHER

/** SF speaks fen, like the hub; this only checks that the amount is an integer. */
export const toSfMoney = (fen: number): number => centsToFen(fen)
export const fromSfMoney = (fen: number | string): number => centsToFen(fen)

export const toSfCoordinate = (value: number): string => roundCoordinate(value, 6).toFixed(6)
export const fromSfCoordinate = (value: number | string): number => Number(value)

export const toUnixSeconds = (date: Date): number => Math.floor(date.getTime() / 1000)
export const fromSfTime = (seconds: number): string => new Date(seconds * 1000).toISOString()
