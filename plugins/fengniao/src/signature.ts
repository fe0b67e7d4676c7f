/**
 * Fengniao v3's signature, the same recipe for the token call, business calls and
 * callbacks: hex(SHA256(app_secret + "k1=v1&k2=v2…")) over the present fields in
 * ASCII key order, values not URL-encoded, `signature` itself left out.
 *  - token: app_id, code, grant_type, merchant_id, timestamp
 *  - calls: access_token, app_id, business_data, merchant_id, timestamp, version
 *  - callbacks: app_id, business_data, timestamp
 * Vectors: fixtures/signatures.json.
 */
import { joinSortedQuery, sha256Hex } from '../../sdk/index.js'

export function fengniaoSignature(fields: Record<string, string>, appSecret: string): string {
  return sha256Hex(appSecret + joinSortedQuery(fields, { skipKeys: ['signature'] }))
}

export function signed<T extends Record<string, string>>(
  fields: T,
  appSecret: string
): T & { signature: string } {
  return { ...fields, signature: fengniaoSignature(fields, appSecret) }
}
