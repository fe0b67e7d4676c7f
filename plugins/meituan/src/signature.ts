/**
 * Meituan Peisong's signature, the same for requests and for callbacks:
 * lower(SHA1(secret + k1v1k2v2…)) over every parameter except `sign`, keys in
 * ASCII order, leaving out empty values. Vectors: fixtures/signatures.json.
 */
import { concatSortedKeyValues, lower, sha1Hex } from '../../sdk/index.js'

export const MEITUAN_VERSION = '1.0'

export function signParams(params: Record<string, string>, secret: string): string {
  return lower(sha1Hex(secret + concatSortedKeyValues(params, { skipKeys: ['sign'] })))
}

/** Adds the system parameters and the signature to a call's business parameters. */
export function signedForm(
  business: Record<string, string>,
  credentials: { appKey: string; appSecret: string },
  timestampS: number
): Record<string, string> {
  const params = {
    ...business,
    appkey: credentials.appKey,
    timestamp: String(timestampS),
    version: MEITUAN_VERSION,
  }
  return { ...params, sign: signParams(params, credentials.appSecret) }
}
