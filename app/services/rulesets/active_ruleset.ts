import Ruleset, { GLOBAL_SCOPE_KEY, merchantScopeKey } from '#models/ruleset'
import RulesetVersion from '#models/ruleset_version'
import type { RulesetDocument } from '#dispatch/types'
import type { CompiledRuleset } from '#dispatch/rules/compiler'
import { getCompiledRuleset } from '#dispatch/rules/compiled_ruleset_cache'
import { ensureGlobalRuleset, versionKeyOf } from '#services/rulesets/ruleset_service'

/*
 * activeRulesetFor: what the dispatch pipeline evaluates for a merchant's order.
 *
 * The active pointer is read from the database on every call (one indexed query
 * over at most two rows), so a publish or rollback on any node takes effect on
 * every node at once without a cache to invalidate. The version itself is
 * immutable, so its document and compiled form are cached by version id for the
 * life of the process.
 */

export interface ActiveRuleset {
  rulesetId: number
  scopeKey: string
  /** ruleset_versions.id: pass it to recordDecision */
  versionId: number
  version: number
  /** the label decisions carry: `global@v3`, `merchant:12@v1` */
  versionKey: string
  document: RulesetDocument
  compiled: CompiledRuleset
}

const MAX_CACHED_VERSIONS = 64
const byVersionId = new Map<number, ActiveRuleset>()

async function loadVersion(ruleset: Ruleset, versionId: number): Promise<ActiveRuleset> {
  const cached = byVersionId.get(versionId)
  if (cached && cached.rulesetId === ruleset.id) return cached

  const version = await RulesetVersion.findOrFail(versionId)
  const versionKey = versionKeyOf(ruleset, version.version)
  const active: ActiveRuleset = {
    rulesetId: ruleset.id,
    scopeKey: ruleset.scopeKey,
    versionId: version.id,
    version: version.version,
    versionKey,
    document: version.document,
    compiled: getCompiledRuleset(version.document, versionKey),
  }
  byVersionId.set(versionId, active)
  if (byVersionId.size > MAX_CACHED_VERSIONS) byVersionId.delete(byVersionId.keys().next().value!)
  return active
}

/**
 * The merchant's published override if it has one, else the active global
 * ruleset (created with the shipped defaults on first use).
 */
export async function activeRulesetFor(merchantId: number): Promise<ActiveRuleset> {
  const rows = await Ruleset.query()
    .select('id', 'scope_key', 'merchant_id', 'active_version_id')
    .whereIn('scope_key', [merchantScopeKey(merchantId), GLOBAL_SCOPE_KEY])
    .whereNotNull('active_version_id')
  const chosen =
    rows.find((row) => row.scopeKey !== GLOBAL_SCOPE_KEY) ??
    rows.find((row) => row.scopeKey === GLOBAL_SCOPE_KEY) ??
    (await ensureGlobalRuleset())
  return loadVersion(chosen, chosen.activeVersionId!)
}

/** Drops the per-process cache (tests that recreate the database). */
export function clearActiveRulesetCache() {
  byVersionId.clear()
}
