/**
 * Fengniao v3's wire format as the emulated carrier sees it: the SHA-256 signature
 * (token, calls and callbacks alike), the `{code, msg, business_data}` answer with
 * business_data as a JSON string, order ids as Java longs, status codes. Written
 * from the plugin's README and public samples with node:crypto (not imported from
 * the plugin); both sides are held to plugins/fengniao/fixtures/signatures.json.
 */
import { createHash } from 'node:crypto'
import type { SandboxDelivery, SandboxResponse } from '#sandbox/emulator'

/** hex(SHA256(app_secret + "k1=v1&k2=v2…")), keys in ASCII order, `signature` and empty values left out. */
export function fengniaoSignature(fields: Record<string, string>, secret: string): string {
  const joined = Object.keys(fields)
    .filter((key) => key !== 'signature' && fields[key] !== '')
    .sort()
    .map((key) => `${key}=${fields[key]}`)
    .join('&')
  return createHash('sha256')
    .update(secret + joined, 'utf8')
    .digest('hex')
}

/** The access_token the sandbox issues: stable per app and merchant, so no token store is needed. */
export function sandboxAccessToken(appId: string, merchantId: string, secret: string): string {
  return `fnsbx${createHash('sha256').update(`${secret}:${appId}:${merchantId}`).digest('hex').slice(0, 32)}`
}

/** code and msg of the answers this emulator gives (the plugin's README lists the same). */
export const FENGNIAO_ERRORS = {
  params: ['40000', '参数错误'],
  signature: ['40001', '签名错误'],
  token: ['40002', 'access_token无效或已过期'],
  timestamp: ['40003', '请求时间戳已过期'],
  notFound: ['40004', '订单不存在'],
  duplicate: ['40005', '订单已存在'],
  state: ['40006', '订单当前状态不允许该操作'],
  noCapacity: ['40011', '当前运力紧张'],
  system: ['50000', '系统繁忙'],
} as const satisfies Record<string, readonly [string, string]>

export type FengniaoErrorKey = keyof typeof FENGNIAO_ERRORS

/**
 * JSON with the named fields written as bare numbers (Fengniao's ids are Java
 * longs, beyond what a JS number holds exactly): `"order_id":"210…"` → `"order_id":210…`.
 */
export function jsonWithLongs(value: unknown, longFields: string[]): string {
  let text = JSON.stringify(value)
  for (const field of longFields) {
    text = text.replaceAll(new RegExp(`"${field}":"(\\d+)"`, 'g'), `"${field}":$1`)
  }
  return text
}

const json = (status: number, payload: unknown): SandboxResponse => ({
  status,
  headers: { 'content-type': 'application/json;charset=utf-8' },
  body: JSON.stringify(payload),
})

export const fengniaoOk = (businessData: string): SandboxResponse =>
  json(200, { code: '200', msg: 'success', business_data: businessData })

export function fengniaoFail(
  key: FengniaoErrorKey,
  httpStatus = 200,
  detail?: string
): SandboxResponse {
  const [code, msg] = FENGNIAO_ERRORS[key]
  return json(httpStatus, { code, msg: detail ? `${msg}: ${detail}` : msg, business_data: null })
}

/** order_status for a query or the event log: 2 (配送中) covers picked up and on the way. */
export function fengniaoStatusOf(state: SandboxDelivery['state']): number {
  switch (state) {
    case 'waiting':
      return 1
    case 'accepted':
      return 20
    case 'arrived':
      return 80
    case 'picked_up':
    case 'delivering':
      return 2
    case 'delivered':
      return 3
    case 'cancelled':
      return 4
  }
}

/** Status to push, or null: no second 2 for "on the way", no going back to 1 after a rider drop. */
export function fengniaoCallbackStatusOf(delivery: SandboxDelivery): number | null {
  if (delivery.state === 'delivering') return null
  if (delivery.state === 'waiting' && delivery.history.some((entry) => entry.state === 'accepted'))
    return null
  return fengniaoStatusOf(delivery.state)
}
