/**
 * Dada's wire format as the emulated carrier sees it: the two signature recipes,
 * the answer envelope, status codes and times. Re-implemented from the plugin's
 * README and Dada's public documentation with node:crypto, not imported from the
 * plugin, so a signing bug on one side fails the tests instead of cancelling out.
 * Both sides are held to the vectors in plugins/dada/fixtures/signatures.json.
 */
import { createHash } from 'node:crypto'
import type { SandboxDelivery, SandboxResponse } from '#sandbox/emulator'

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex')

/** UPPER(MD5(secret + k1v1k2v2… + secret)), keys in ASCII order, signature and empty values left out. */
export function dadaRequestSignature(params: Record<string, string>, secret: string): string {
  const joined = Object.keys(params)
    .filter((key) => key !== 'signature' && params[key] !== '')
    .sort()
    .map((key) => key + params[key])
    .join('')
  return md5(secret + joined + secret).toUpperCase()
}

/** MD5 of the values of client_id, order_id and update_time, sorted as strings. No secret. */
export function dadaCallbackSignature(
  clientId: string,
  orderId: string,
  updateTime: string
): string {
  return md5([clientId, orderId, updateTime].sort().join(''))
}

/** code and msg of the answers this emulator gives (the plugin's README lists the same). */
export const DADA_ERRORS = {
  system: [-1, '系统异常'],
  appKey: [2001, 'app_key无效'],
  params: [2002, '参数错误'],
  signature: [2003, '签名错误'],
  timestamp: [2004, 'timestamp已过期'],
  sourceId: [2005, 'source_id不存在'],
  cannotCancel: [2060, '订单当前状态不能取消'],
  notFound: [2071, '订单不存在'],
  duplicate: [2105, '订单已存在，请勿重复发单'],
  deliveryNoExpired: [2159, 'deliveryNo已过期，请重新查询运费'],
  outOfRange: [2401, '收货地址超出配送范围'],
  noCapacity: [2402, '当前区域运力紧张，请稍后再试'],
} as const satisfies Record<string, readonly [number, string]>

export type DadaErrorKey = keyof typeof DADA_ERRORS

const json = (status: number, payload: unknown): SandboxResponse => ({
  status,
  headers: { 'content-type': 'application/json;charset=utf-8' },
  body: JSON.stringify(payload),
})

export const dadaOk = (result: unknown): SandboxResponse =>
  json(200, { status: 'success', code: 0, msg: '成功', result })

/** Dada answers business errors with HTTP 200 and status "fail". */
export function dadaFail(key: DadaErrorKey, httpStatus = 200, detail?: string): SandboxResponse {
  const [code, msg] = DADA_ERRORS[key]
  return json(httpStatus, {
    status: 'fail',
    code,
    msg: detail ? `${msg}: ${detail}` : msg,
    result: null,
    errorCode: code,
  })
}

/**
 * The order_status Dada reports for the delivery's current state; null for states it
 * never reports (it has no separate "on the way": 3 is sent at pickup). A carrier
 * give-up (nobody accepted) is 7 已过期, a merchant cancel 5.
 */
export function dadaStatusOf(delivery: SandboxDelivery): number | null {
  switch (delivery.state) {
    case 'waiting':
      return 1
    case 'accepted':
      return 2
    case 'arrived':
      return 100
    case 'picked_up':
      return 3
    case 'delivering':
      return null
    case 'delivered':
      return 4
    case 'cancelled':
      return delivery.cancellation?.by === 'carrier' ? 7 : 5
  }
}

/** The same, for status queries: "on the way" is still 配送中. */
export const dadaQueryStatusOf = (delivery: SandboxDelivery): number => dadaStatusOf(delivery) ?? 3

export const DADA_STATUS_TEXT: Record<number, string> = {
  1: '待接单',
  2: '待取货',
  3: '配送中',
  4: '已完成',
  5: '已取消',
  7: '已过期',
  100: '骑士到店',
}

/** "yyyy-MM-dd HH:mm:ss" in Beijing time, the format of Dada's status query. */
export function beijingDateTime(at: Date | undefined): string {
  if (!at) return ''
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ')
}

/** Yuan as Dada's JSON numbers (12.5, not "12.50"). */
export const yuanNumber = (fen: number): number => Math.round(fen) / 100
