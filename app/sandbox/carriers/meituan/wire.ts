/**
 * Meituan Peisong's wire format as the emulated carrier sees it: the SHA-1
 * signature shared by requests and callbacks, the `{code, message, data}` answer,
 * status codes, ×1e6 coordinates. Re-implemented from the plugin's README and the
 * public documentation with node:crypto (not imported from the plugin); both sides
 * are held to plugins/meituan/fixtures/signatures.json.
 */
import { createHash } from 'node:crypto'
import type { SandboxDelivery, SandboxResponse } from '#sandbox/emulator'

/** lower(SHA1(secret + k1v1k2v2…)), keys in ASCII order, `sign` and empty values left out. */
export function meituanSignature(params: Record<string, string>, secret: string): string {
  const joined = Object.keys(params)
    .filter((key) => key !== 'sign' && params[key] !== '')
    .sort()
    .map((key) => key + params[key])
    .join('')
  return createHash('sha1')
    .update(secret + joined, 'utf8')
    .digest('hex')
}

/** code and message of the answers this emulator gives (the plugin's README lists the same). */
export const MEITUAN_ERRORS = {
  busy: [1, '系统繁忙，请稍后再试'],
  params: [2, '参数错误'],
  signature: [3, '签名验证失败'],
  appkey: [4, 'appkey不存在'],
  timestamp: [5, '请求时间戳已过期'],
  notFound: [6, '订单不存在'],
  outOfRange: [7, '收件地址超出门店配送范围'],
  noCapacity: [8, '当前时段运力紧张'],
  state: [10, '订单当前状态不允许该操作'],
} as const satisfies Record<string, readonly [number, string]>

export type MeituanErrorKey = keyof typeof MEITUAN_ERRORS

const json = (status: number, payload: unknown): SandboxResponse => ({
  status,
  headers: { 'content-type': 'application/json;charset=utf-8' },
  body: JSON.stringify(payload),
})

export const meituanOk = (data: unknown): SandboxResponse =>
  json(200, { code: 0, message: '成功', data })

export function meituanFail(
  key: MeituanErrorKey,
  httpStatus = 200,
  detail?: string
): SandboxResponse {
  const [code, message] = MEITUAN_ERRORS[key]
  return json(httpStatus, { code, message: detail ? `${message}: ${detail}` : message, data: null })
}

/** Status for a query: Meituan has no "arrived" or "on the way" code. */
export function meituanStatusOf(delivery: SandboxDelivery): number {
  switch (delivery.state) {
    case 'waiting':
      return 0
    case 'accepted':
    case 'arrived':
      return 20
    case 'picked_up':
    case 'delivering':
      return 30
    case 'delivered':
      return 50
    case 'cancelled':
      return 99
  }
}

/**
 * Status to push, or null when Meituan would not call back: it skips arrival and
 * "on the way", and never goes back to 0 after a rider dropped the order (the next
 * rider's 20 repeats instead).
 */
export function meituanCallbackStatusOf(delivery: SandboxDelivery): number | null {
  if (delivery.state === 'arrived' || delivery.state === 'delivering') return null
  if (delivery.state === 'waiting' && delivery.history.some((entry) => entry.state === 'accepted'))
    return null
  return meituanStatusOf(delivery)
}

export const toMeituanInt = (degrees: number): number => Math.round(degrees * 1_000_000)
export const fromMeituanInt = (value: string): number => Number(value) / 1_000_000
export const yuanNumber = (fen: number): number => Math.round(fen) / 100
