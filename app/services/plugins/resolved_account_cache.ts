/**
 * Resolved carrier accounts, kept for a few seconds and shared by every caller in
 * this process: the dispatcher's gateway (quotes, orders) and the callback intake.
 * Resolving reads three tables, decrypts the secrets and validates the config
 * against the manifest; a batch quotes the same few accounts thousands of times a
 * minute and every carrier callback needs the same answer again.
 *
 * How long a change can go unseen:
 * - carrier_account_service forgets an account here as soon as it updates it
 *   (settings, enabling, disabling, new secrets) or deletes it, so this process
 *   uses the change at once; other processes pick it up within the TTL.
 * - a plugin change (install, upgrade, rollback, disable, uninstall) bumps the
 *   plugin's revision; an entry read at an older revision than the one this
 *   process's plugin node has applied is resolved again. Processes without a
 *   running node, and the moment between the commit and the node applying it,
 *   are covered by the TTL.
 * - refusals (unknown account, disabled plugin...) are never kept: callers only
 *   share a lookup while it is in flight.
 *
 * Entries are per account and per `allowDisabled`: a disabled account still
 * verifies callbacks for the orders it carries, but must never be quoted.
 * The map holds at most two entries per account that exists.
 */
import type { PluginNode } from '#carriers/registry/plugin_node'
import { resolveAccount, type ResolvedAccount } from '#services/plugins/carrier_account_service'

export const RESOLVED_ACCOUNT_TTL_MS = 5000

interface Entry {
  /** When the lookup started: a change committed after that may be missing. */
  at: number
  resolved: Promise<ResolvedAccount>
}

const entries = new Map<string, Entry>()

function keyOf(accountId: number, allowDisabled: boolean) {
  return `${accountId}:${allowDisabled ? 'any' : 'enabled'}`
}

function load(key: string, accountId: number, allowDisabled: boolean) {
  const resolved = resolveAccount(accountId, { allowDisabled })
  const entry: Entry = { at: Date.now(), resolved }
  entries.set(key, entry)
  resolved.catch(() => {
    if (entries.get(key) === entry) entries.delete(key)
  })
  return resolved
}

/** True when `node` has applied a newer revision of the plugin than the entry was read at. */
function pluginChangedSince(node: PluginNode, resolved: ResolvedAccount) {
  const applied = node.appliedRevision(resolved.pluginId)
  return applied !== undefined && applied > resolved.pluginRevision
}

/** resolveAccount(), answered from this process's recent lookups when possible. */
export async function cachedAccount(
  node: PluginNode,
  accountId: number,
  options: { allowDisabled?: boolean } = {}
): Promise<ResolvedAccount> {
  const allowDisabled = options.allowDisabled === true
  const key = keyOf(accountId, allowDisabled)
  const entry = entries.get(key)
  if (entry && Date.now() - entry.at < RESOLVED_ACCOUNT_TTL_MS) {
    const resolved = await entry.resolved
    if (!pluginChangedSince(node, resolved)) return resolved
    if (entries.get(key) === entry) entries.delete(key)
  }
  return load(key, accountId, allowDisabled)
}

/** Drops what this process knows of an account; the next lookup reads it again. */
export function forgetResolvedAccount(accountId: number) {
  entries.delete(keyOf(accountId, false))
  entries.delete(keyOf(accountId, true))
}
