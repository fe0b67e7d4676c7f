import type { CompiledRuleset } from '#dispatch/rules/compiler'
import { compileRuleset } from '#dispatch/rules/compiler'
import { rulesetVersionKey } from '#dispatch/rules/version_key'

/*
 * Compiled rulesets cached by version key. Published versions are immutable, so
 * a version key always maps to the same document; the cache is a small LRU
 * because a busy hub only ever uses a handful of versions at a time.
 */

const MAX_ENTRIES = 64
const cache = new Map<string, CompiledRuleset>()

/**
 * Returns the compiled form of a ruleset version, compiling it on first use.
 * Pass the stored version id when there is one; otherwise the content hash is used.
 */
export function getCompiledRuleset(document: unknown, version?: string): CompiledRuleset {
  const key = version ?? rulesetVersionKey(document)
  const cached = cache.get(key)
  if (cached) {
    cache.delete(key)
    cache.set(key, cached)
    return cached
  }
  const compiled = compileRuleset(document, key)
  cache.set(key, compiled)
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!)
  return compiled
}

export function forgetCompiledRuleset(version: string): void {
  cache.delete(version)
}

export function clearCompiledRulesetCache(): void {
  cache.clear()
}
