import { createHash } from 'node:crypto'

/*
 * A content hash of a ruleset document, used as its version key when the caller
 * has no stored version id. Keys are sorted so that formatting and key order do
 * not change the version.
 */

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map(
        (key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`
      )
    return `{${entries.join(',')}}`
  }
  return JSON.stringify(value)
}

export function rulesetVersionKey(document: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(document)).digest('hex').slice(0, 16)}`
}
