/**
 * Dada's two signature recipes. They differ, and mixing them up is the classic
 * Dada integration bug:
 *  - requests: UPPER(MD5(app_secret + k1v1k2v2… + app_secret)) over the system
 *    parameters (app_key, body, format, source_id, timestamp, v), keys in ASCII order;
 *  - callbacks: lower MD5 of the *values* of client_id, order_id and update_time,
 *    sorted as strings and concatenated. No secret is involved.
 * Test vectors for both are in fixtures/signatures.json.
 */
import { concatSortedKeyValues, md5Hex, upper } from '../../sdk/index.js'

export const DADA_FORMAT = 'json'
export const DADA_VERSION = '1.0'

/** The JSON envelope Dada expects for every call (`body` is the business JSON as a string). */
export interface DadaEnvelope {
  app_key: string
  body: string
  format: string
  v: string
  source_id: string
  timestamp: string
  signature: string
}

export function requestSignature(params: Record<string, string>, appSecret: string): string {
  return upper(
    md5Hex(appSecret + concatSortedKeyValues(params, { skipKeys: ['signature'] }) + appSecret)
  )
}

export function buildEnvelope(
  credentials: { appKey: string; appSecret: string; sourceId: string },
  body: string,
  timestampS: number
): DadaEnvelope {
  const params = {
    app_key: credentials.appKey,
    body,
    format: DADA_FORMAT,
    v: DADA_VERSION,
    source_id: credentials.sourceId,
    timestamp: String(timestampS),
  }
  return { ...params, signature: requestSignature(params, credentials.appSecret) }
}

export function callbackSignature(fields: {
  client_id: string | number
  order_id: string | number
  update_time: string | number
}): string {
  const values = [fields.client_id, fields.order_id, fields.update_time].map(String).sort()
  return md5Hex(values.join(''))
}
