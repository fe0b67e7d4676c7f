import type { Shape } from '#dispatch/rules/shape'
import { shapeTypes } from '#dispatch/rules/shape'

/*
 * json-rules-engine resolves `path` with jsonpath-plus. We accept only the subset
 * `$.a.b[0]` (property names and array indexes): it covers every fact shape, it
 * can be type-checked against the catalog, and it compiles to plain property
 * reads. Filters, wildcards and recursive descent are rejected at validation.
 */

const SEGMENT = /\.([A-Za-z_][A-Za-z0-9_]*)|\[(0|[1-9][0-9]*)\]/y

export type PathSegment = { kind: 'property'; key: string } | { kind: 'index'; key: string }

export function parsePath(path: string): PathSegment[] | null {
  if (!path.startsWith('$') || path.length < 2) return null
  const segments: PathSegment[] = []
  SEGMENT.lastIndex = 1
  while (SEGMENT.lastIndex < path.length) {
    const start = SEGMENT.lastIndex
    const match = SEGMENT.exec(path)
    if (!match || match.index !== start) return null
    segments.push(
      match[1] !== undefined
        ? { kind: 'property', key: match[1] }
        : { kind: 'index', key: match[2] }
    )
  }
  return segments
}

export type ShapeResolution =
  | { ok: true; shape: Shape }
  | {
      ok: false
      failedAt: string
      available: string[]
      reason: 'no-property' | 'not-object' | 'not-array'
    }

/** Walks the declared shape along the path; tells where and why it stops. */
export function resolveShape(root: Shape, segments: PathSegment[]): ShapeResolution {
  let current = root
  for (const segment of segments) {
    const types = shapeTypes(current)
    if (segment.kind === 'index') {
      if (!types.includes('array') || !current.items) {
        return { ok: false, failedAt: `[${segment.key}]`, available: [], reason: 'not-array' }
      }
      current = current.items
      continue
    }
    if (!types.includes('object') || !current.properties) {
      return { ok: false, failedAt: segment.key, available: [], reason: 'not-object' }
    }
    const next = current.properties[segment.key]
    if (!next) {
      return {
        ok: false,
        failedAt: segment.key,
        available: Object.keys(current.properties),
        reason: 'no-property',
      }
    }
    current = next
  }
  return { ok: true, shape: current }
}

export type FactReader = (facts: Record<string, unknown>) => unknown

const hasOwn = (value: unknown, key: string) => Object.hasOwn(value as object, key)

/*
 * Reads `fact` + `path` from the facts object with the same results as
 * json-rules-engine's Almanac + jsonpath-plus (wrap: false) for the accepted subset:
 * - a fact value that is not an object is returned unchanged (the path is ignored);
 * - each step follows an own property of a truthy value, otherwise the result is
 *   undefined (jsonpath-plus: `val && Object.hasOwn(val, loc)`), so getters on a
 *   prototype are invisible, exactly as in the engine;
 * - the value found is returned by reference, so `equal` against a fact reference
 *   compares identities exactly like the engine does.
 * One- and two-step paths, nearly all real ones, get straight-line readers.
 */
export function compileFactReader(fact: string, path: string | undefined): FactReader {
  if (path === undefined || path === '') return (facts) => facts[fact]
  const segments = parsePath(path)
  if (!segments) throw new Error(`Unsupported path "${path}"`)
  const keys = segments.map((segment) => segment.key)

  if (keys.length === 1) {
    const [first] = keys
    return (facts) => {
      const value = facts[fact]
      if (value === null || typeof value !== 'object') return value
      return hasOwn(value, first) ? (value as Record<string, unknown>)[first] : undefined
    }
  }

  if (keys.length === 2) {
    const [first, second] = keys
    return (facts) => {
      const value = facts[fact]
      if (value === null || typeof value !== 'object') return value
      if (!hasOwn(value, first)) return undefined
      const inner = (value as Record<string, unknown>)[first]
      return inner && hasOwn(inner, second) ? (inner as Record<string, unknown>)[second] : undefined
    }
  }

  return (facts) => {
    const value = facts[fact]
    if (value === null || typeof value !== 'object') return value
    let current: unknown = value
    for (const key of keys) {
      if (!current || !hasOwn(current, key)) return undefined
      current = (current as Record<string, unknown>)[key]
    }
    return current
  }
}

/** Reads a path from one fact value (see compileFactReader). */
export function compilePathReader(
  path: string | undefined
): ((factValue: unknown) => unknown) | null {
  if (path === undefined || path === '') return null
  const read = compileFactReader('value', path)
  return (factValue) => read({ value: factValue })
}
