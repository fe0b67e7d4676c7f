/**
 * Signature building blocks. Chinese carrier APIs sign requests with a handful of
 * recipes (sorted key+value concatenation, `k=v&...`, MD5/SHA1/SHA256, upper or lower
 * case); each plugin composes its recipe from these so the recipe reads like the
 * carrier's documentation.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

export type Digest = 'md5' | 'sha1' | 'sha256'
export type Encoding = 'hex' | 'base64'

export function md5Hex(input: string | Buffer): string {
  return createHash('md5').update(input).digest('hex')
}

export function sha1Hex(input: string | Buffer): string {
  return createHash('sha1').update(input).digest('hex')
}

export function sha256Hex(input: string | Buffer): string {
  return createHash('sha256').update(input).digest('hex')
}

export function hmac(
  algorithm: Digest,
  key: string | Buffer,
  input: string | Buffer,
  encoding: Encoding = 'hex'
): string {
  return createHmac(algorithm, key).update(input).digest(encoding)
}

export function hmacSha256Hex(key: string | Buffer, input: string | Buffer): string {
  return hmac('sha256', key, input, 'hex')
}

export function base64Encode(input: string | Buffer): string {
  return Buffer.from(input).toString('base64')
}

export function base64Decode(input: string): string {
  return Buffer.from(input, 'base64').toString('utf8')
}

/** Compares two signatures in constant time (different lengths compare false). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

export type SignableValue = string | number | boolean | null | undefined

export interface SortedParamOptions {
  /** Keys left out of the signature, typically the signature field itself. Default ['sign']. */
  skipKeys?: string[]
  /** Leave out keys whose value is '', null or undefined (most carriers do). Default true. */
  skipEmpty?: boolean
}

function signableEntries(
  params: Record<string, SignableValue>,
  options: SortedParamOptions
): Array<[string, string]> {
  const skipKeys = new Set(options.skipKeys ?? ['sign'])
  const skipEmpty = options.skipEmpty ?? true
  return Object.keys(params)
    .sort()
    .filter((key) => !skipKeys.has(key))
    .map((key): [string, string] => [
      key,
      params[key] === null || params[key] === undefined ? '' : String(params[key]),
    ])
    .filter(([, value]) => !(skipEmpty && value === ''))
}

/** `k1v1k2v2…` over keys in ASCII order (Dada, Meituan). */
export function concatSortedKeyValues(
  params: Record<string, SignableValue>,
  options: SortedParamOptions = {}
): string {
  return signableEntries(params, options)
    .map(([key, value]) => key + value)
    .join('')
}

/** `k1=v1&k2=v2…` over keys in ASCII order (Fengniao, UU). Values are not URL-encoded. */
export function joinSortedQuery(
  params: Record<string, SignableValue>,
  options: SortedParamOptions = {}
): string {
  return signableEntries(params, options)
    .map(([key, value]) => `${key}=${value}`)
    .join('&')
}

export function upper(value: string): string {
  return value.toUpperCase()
}

export function lower(value: string): string {
  return value.toLowerCase()
}
