import { BaseTransformer } from '@adonisjs/core/transformers'
import type { BreakerSnapshot } from '#carriers/circuit_breaker'
import { WEBHOOK_BREAKER_SUFFIX } from '#carriers/registry/plugin_node'
import type { NodeView, PluginView } from '#services/plugins/plugin_query_service'

/** Breaker snapshots as the console lists them, one per carrier account. */
function accountHealth(accounts: Record<string, BreakerSnapshot> | undefined) {
  return Object.entries(accounts ?? {})
    .filter(([key]) => !key.endsWith(WEBHOOK_BREAKER_SUFFIX))
    .map(([accountId, breaker]) => ({
      account_id: Number(accountId),
      state: breaker.state,
      healthy: breaker.healthy,
      consecutive_failures: breaker.consecutiveFailures,
      calls: breaker.calls,
      failures: breaker.failures,
      last_failure: breaker.lastFailure,
      last_success_at: breaker.lastSuccessAt,
      retry_at: breaker.retryAt,
    }))
}

function nodeObject(node: NodeView, revision: number) {
  const { accounts, ...stats } = node.stats ?? {}
  return {
    node_id: node.nodeId,
    this_node: node.thisNode,
    loaded_version: node.loadedVersion,
    state: node.state,
    applied_revision: node.appliedRevision,
    // Caught up: applied the latest change without error and still reporting.
    in_sync: node.appliedRevision >= revision && !node.lastError && !node.stale,
    stale: node.stale,
    last_error: node.lastError,
    last_seen_at: node.lastSeenAt.toISO(),
    stats: node.stats ? stats : null,
    accounts: accountHealth(accounts),
  }
}

/**
 * A plugin's desired state (version, enabled, revision) beside what every node
 * reports; `versions` (single reads) lists the stored packages for rollback.
 */
export default class PluginTransformer extends BaseTransformer<PluginView> {
  toObject() {
    const { plugin, manifest, sha256, nodes, versions } = this.resource
    return {
      id: plugin.pluginId,
      name: plugin.name,
      description: manifest.description ?? null,
      status: plugin.isInstalled ? ('installed' as const) : ('uninstalled' as const),
      version: plugin.version,
      enabled: plugin.enabled,
      revision: plugin.revision,
      sha256,
      capabilities: manifest.capabilities,
      egress: manifest.egress,
      host_api: manifest.hostApi,
      author: manifest.author ?? null,
      installed_at: plugin.installedAt.toISO(),
      updated_at: plugin.updatedAt.toISO(),
      uninstalled_at: plugin.uninstalledAt?.toISO() ?? null,
      nodes: nodes.map((node) => nodeObject(node, plugin.revision)),
      ...(versions
        ? {
            versions: versions.map((pkg) => ({
              version: pkg.version,
              sha256: pkg.sha256,
              size_bytes: pkg.sizeBytes,
              uploaded_by: pkg.uploadedBy,
              uploaded_at: pkg.createdAt.toISO(),
              active: pkg.id === plugin.packageId,
            })),
          }
        : {}),
    }
  }
}
