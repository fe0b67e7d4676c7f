/**
 * Reads of the plugin registry for the console: the desired state joined with what
 * each node reports. For this node the live host status replaces its stored row,
 * so breaker states shown are current rather than one reconcile old.
 */
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import type { Manifest } from '#sdk/manifest'
import { PluginNode } from '#carriers/registry/plugin_node'
import InstalledPlugin from '#models/installed_plugin'
import PluginPackage, { PACKAGE_SUMMARY_COLUMNS } from '#models/plugin_package'
import PluginNodeStatus from '#models/plugin_node_status'
import ProblemException from '#exceptions/problem'

export interface NodeView {
  nodeId: string
  thisNode: boolean
  loadedVersion: string | null
  state: string
  appliedRevision: number
  lastError: string | null
  lastSeenAt: DateTime
  stale: boolean
  stats: Record<string, any> | null
}

export interface PluginView {
  plugin: InstalledPlugin
  manifest: Manifest
  sha256: string
  nodes: NodeView[]
  /** Every stored version, newest upload first (single-plugin reads only). */
  versions?: PluginPackage[]
}

/**
 * A node is stale once it missed a few of its own reconcile ticks (it may have died
 * without a goodbye). Nodes write at least every 5 s, hence the 15 s floor.
 */
function isStale(row: PluginNodeStatus, now: DateTime): boolean {
  const interval = Number(row.stats?.reconcile_ms ?? 0)
  const allowance = Math.max(3 * interval, 15_000)
  return now.diff(row.lastSeenAt).toMillis() > allowance
}

async function nodeViews(pluginIds: string[]): Promise<Map<string, NodeView[]>> {
  const node = await app.container.make(PluginNode)
  const now = DateTime.utc()
  const rows = pluginIds.length
    ? await PluginNodeStatus.query().whereIn('plugin_id', pluginIds).orderBy('node_id')
    : []
  const statuses = node.started ? await node.host.status() : []
  const live = new Map(statuses.map((status) => [status.id, status]))
  const byPlugin = new Map<string, NodeView[]>()
  for (const row of rows) {
    const thisNode = row.nodeId === node.nodeId
    const slot = thisNode ? live.get(row.pluginId) : undefined
    const view: NodeView = {
      nodeId: row.nodeId,
      thisNode,
      loadedVersion: slot ? slot.version : row.loadedVersion,
      state: slot ? slot.state : row.state,
      appliedRevision: thisNode
        ? (node.appliedRevision(row.pluginId) ?? row.appliedRevision)
        : row.appliedRevision,
      lastError: row.lastError,
      lastSeenAt: row.lastSeenAt,
      stale: row.state !== 'offline' && !thisNode && isStale(row, now),
      stats: slot
        ? {
            reconcile_ms: node.config.reconcileMs,
            calls: slot.calls,
            failures: slot.failures,
            timeouts: slot.timeouts,
            crashes: slot.crashes,
            restarts: slot.restarts,
            in_flight: slot.inFlight,
            draining_workers: slot.drainingWorkers,
            heap_used_bytes: slot.worker?.heap?.usedBytes ?? null,
            last_crash: slot.lastCrash,
            accounts: slot.accounts,
          }
        : row.stats,
    }
    byPlugin.set(row.pluginId, [...(byPlugin.get(row.pluginId) ?? []), view])
  }
  return byPlugin
}

function summaryQuery() {
  return InstalledPlugin.query().preload('package', (query) =>
    query.select(...PACKAGE_SUMMARY_COLUMNS)
  )
}

export async function listPlugins(filters: { include_uninstalled?: boolean }) {
  const query = summaryQuery().orderBy('plugin_id')
  if (!filters.include_uninstalled) query.whereNull('uninstalled_at')
  const plugins = await query
  const nodes = await nodeViews(plugins.map((plugin) => plugin.pluginId))
  return plugins.map((plugin): PluginView => ({
    plugin,
    manifest: plugin.package.manifest,
    sha256: plugin.package.sha256,
    nodes: nodes.get(plugin.pluginId) ?? [],
  }))
}

/** Uninstalled plugins are still found: their history stays readable. */
export async function findPlugin(pluginId: string): Promise<PluginView> {
  const plugin = await summaryQuery().where('plugin_id', pluginId).first()
  if (!plugin) throw ProblemException.notFound(`Plugin "${pluginId}"`)
  const [nodes, versions] = await Promise.all([
    nodeViews([pluginId]),
    PluginPackage.query()
      .select(...PACKAGE_SUMMARY_COLUMNS)
      .where('plugin_id', pluginId)
      .orderBy('id', 'desc'),
  ])
  return {
    plugin,
    manifest: plugin.package.manifest,
    sha256: plugin.package.sha256,
    nodes: nodes.get(pluginId) ?? [],
    versions,
  }
}

/** The manifest of the active (or last active) version. */
export async function activeManifest(pluginId: string): Promise<{
  plugin: InstalledPlugin
  manifest: Manifest
}> {
  const plugin = await summaryQuery().where('plugin_id', pluginId).first()
  if (!plugin) throw ProblemException.notFound(`Plugin "${pluginId}"`)
  return { plugin, manifest: plugin.package.manifest }
}
