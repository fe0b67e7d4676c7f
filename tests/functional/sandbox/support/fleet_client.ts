/**
 * Calls the sandbox's own-fleet API like the plugin does, signing with the plugin's
 * own mapper, so these tests check the emulator against the plugin's wire format.
 */
import { randomBytes } from 'node:crypto'
import { signatureHeaders, type FleetConfig } from '../../../../plugins/own_fleet/src/mapper.js'
import { OWN_FLEET_SANDBOX_ACCOUNT } from '#sandbox/carriers/own_fleet'

export interface FleetAnswer {
  status: number
  body: { code: number; message: string; data?: any }
}

export function sandboxFleetConfig(sandboxUrl: string): FleetConfig {
  const { fleetId, apiKey, apiSecret } = OWN_FLEET_SANDBOX_ACCOUNT.credentials
  return { baseUrl: `${sandboxUrl}/own_fleet`, fleetId, apiKey, apiSecret }
}

export async function fleetCall(
  config: FleetConfig,
  method: 'GET' | 'POST',
  path: string,
  body?: Record<string, unknown>,
  options: { timeoutMs?: number; timestamp?: number } = {}
): Promise<FleetAnswer> {
  const raw = body === undefined ? '' : JSON.stringify(body)
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000)
  const nonce = randomBytes(8).toString('hex')
  const response = await fetch(config.baseUrl + path, {
    method,
    headers: {
      ...(raw ? { 'content-type': 'application/json' } : {}),
      ...signatureHeaders(config, { method, path, body: raw }, timestamp, nonce),
    },
    body: raw || undefined,
    signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
  })
  return { status: response.status, body: (await response.json()) as FleetAnswer['body'] }
}

export function quoteBody(
  config: FleetConfig,
  orderNo: string,
  dropoff = { lat: 31.183467, lng: 121.443512 }
) {
  return {
    fleet_id: config.fleetId,
    order_no: orderNo,
    merchant_order_no: `POS-${orderNo}`,
    service: 'standard',
    pickup: {
      name: '老王面馆',
      address: '漕溪北路 88 号',
      city: '上海',
      lat: 31.190236,
      lng: 121.436525,
      contact: '王师傅',
      phone: '13800001111',
    },
    dropoff: {
      name: '李女士',
      address: '天钥桥路 100 号',
      city: '上海',
      ...dropoff,
      phone: '13900002222',
    },
    goods: { summary: '牛肉面 x2', count: 2, weight_g: 1500, value: '68.50', category: 'food' },
    tip: '0.00',
  }
}

/** Quote then create; returns the delivery id. */
export async function createFleetDelivery(config: FleetConfig, orderNo: string): Promise<string> {
  const quote = await fleetCall(config, 'POST', '/v1/quotes', quoteBody(config, orderNo))
  if (quote.body.code !== 0) throw new Error(`quote failed: ${JSON.stringify(quote.body)}`)
  const created = await fleetCall(config, 'POST', '/v1/deliveries', {
    fleet_id: config.fleetId,
    quote_id: quote.body.data.quote_id,
    order_no: orderNo,
    request_id: `${orderNo}:attempt-1`,
    remark: '',
  })
  if (created.body.code !== 0) throw new Error(`create failed: ${JSON.stringify(created.body)}`)
  return created.body.data.delivery_id
}
