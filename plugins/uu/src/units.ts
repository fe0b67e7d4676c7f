/**
 * UU Paotui's units and codes, in one place: order states, `return_code` errors, money
 * (yuan strings), coordinates (BD-09 strings) and times. Entries marked "unconfirmed"
 * are best guesses; each is covered by a fixture so correcting it is a one-line change.
 */
import {
  bd09ToGcj02,
  fenToYuan,
  gcj02ToBd09,
  yuanToFen,
  type LatLng,
  type StatusMap,
} from '../../sdk/index.js'

/** UU's `state`: 1下单成功 3跑男抢单 4已到达 5已取件 6到达目的地 10收件人已收货 -1订单取消. */
export const STATUS_MAP: StatusMap = {
  /** 下单成功: published, waiting for a runner. */
  '1': 'dispatching',
  /** 跑男抢单: a runner took it. */
  '3': 'accepted',
  /** 已到达: the runner is at the pickup address. */
  '4': 'arrived_at_store',
  /** 已取件. */
  '5': 'picked_up',
  /** 到达目的地: at the recipient's address, not yet handed over. */
  '6': 'delivering',
  /** 收件人已收货. */
  '10': 'delivered',
  /** 订单取消. */
  '-1': 'cancelled',
}

export const RETURN_OK = 'ok'

/** `return_code` values seen in public integrations, grouped by what the hub should do. */
export const AUTH_CODES: readonly string[] = [
  '-102', // timestamp错误
  '-103', // appid无效
  '-104', // 签名校验失败
  '-105', // openid无效
  '-2012', // 不存在绑定关系
]
export const REJECTED_CODES: readonly string[] = [
  '-1001', // 无法解析起始地
  '-1002', // 无法解析目的地
  '-1003', // 无法获取订单城市相关信息 (city not served)
  '-4003', // 订单当前状态不可操作 (unconfirmed: e.g. cancelling a delivered order)
]
export const INVALID_CODES: readonly string[] = [
  '-101', // 参数格式校验错误
  '-199', // 参数格式校验错误
  '-1004', // 订单小类出现错误
  '-2001', // price_token无效 (expired quote)
  '-2002', // price_token无效
  '-2003', // 收货人电话格式错误
  '-2006', // order_price错误
  '-2007', // balance_paymoney错误
  '-4001', // 取消原因不能为空
  '-4002', // 订单编号无效
  '-5001', // 订单编号无效
]
export const RETRYABLE_CODES: readonly string[] = [
  '-10001', // 发送频率过快
]
/** 附近暂无跑男 (unconfirmed: UU documents no capacity code; the sandbox uses this one). */
export const CAPACITY_CODES: readonly string[] = ['-1007']

/** push_type 0 = 开放订单 (2 would be a test order that no runner sees). */
export const PUSH_TYPE_OPEN = 0
/** send_type 0 = 帮我送. */
export const SEND_TYPE_DELIVER = 0

/** price_token validity when the answer has no expires_in (unconfirmed). */
export const DEFAULT_QUOTE_VALIDITY_S = 600

/**
 * UU quotes carry no ETA. The hub still needs one to rank carriers, so the plugin
 * estimates: 15 minutes to pickup, then 4 m/s (about 14 km/h, an e-bike in town).
 */
export const PICKUP_ESTIMATE_S = 900
export const RUNNER_SPEED_M_PER_S = 4

export const toUuMoney = (fen: number): string => fenToYuan(fen)
export const fromUuMoney = (yuan: string | number): number => yuanToFen(yuan)

/** UU coordinates are BD-09 (百度地图坐标系) strings. */
export function toUuPoint(point: LatLng): { lat: string; lng: string } {
  const bd = gcj02ToBd09(point)
  return { lat: bd.lat.toFixed(6), lng: bd.lng.toFixed(6) }
}

export function fromUuPoint(lat: number | string, lng: number | string): LatLng {
  const gcj = bd09ToGcj02({ lat: Number(lat), lng: Number(lng) })
  return { lat: Number(gcj.lat.toFixed(6)), lng: Number(gcj.lng.toFixed(6)) }
}

export const toUnixSeconds = (date: Date): number => Math.floor(date.getTime() / 1000)

/** UU timestamps are unix seconds in requests and milliseconds in callbacks. */
export function fromUuTimestamp(value: number | string): string {
  const number = Number(value)
  return new Date(number < 1e12 ? number * 1000 : number).toISOString()
}
