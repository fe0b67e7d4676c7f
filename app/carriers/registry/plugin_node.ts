/**
 * This process's part of the cluster: one PluginHost, kept in line with the desired
 * state in the database. It reconciles at start, on a timer, when this node made a
 * change, and (with Redis) when another node announces one; after each pass it
 * writes what it actually runs to plugin_node_statuses.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { DateTime } from 'luxon'
import {
  PluginHost,
  type DesiredPlugin,
  type PluginStatus,
  type ReconcileResult,
} from '#carriers/plugin_host'
import type { HostLogger, PluginHostConfig } from '#carriers/host_options'
import { ensureExtracted, removeExtracted } from '#carriers/registry/package_extractor'
import { PluginHintBus, publishHintOnce, type PluginHint } from '#carriers/registry/hint_bus'
import type { RegistryConfig } from '#carriers/registry/registry_config'
import InstalledPlugin from '#models/installed_plugin'
import { PACKAGE_SUMMARY_COLUMNS } from '#models/plugin_package'
import PluginNodeStatus, { type NodePluginState } from '#models/plugin_node_status'

export interface NodePluginOutcome {
  pluginId: string
  revision: number
  action: string
  state: NodePluginState
  loadedVersion: string | null
  error: string | null
}

export interface NodeReconcileReport {
  nodeId: string
  at: string
  plugins: NodePluginOutcome[]
}

/** Rows of nodes silent for this long are deleted (hostname:pid names change on restart). */
const FORGET_NODES_AFTER_HOURS = 24

/** Longest gap between two status writes of a node whose state did not change. */
const HEARTBEAT_MS = 5_000

/** Breaker keys the webhook intake uses; kept apart so they never block quotes. */
export const WEBHOOK_BREAKER_SUFFIX = ':webhook'

function nodeStats(status: PluginStatus) {
  return {
    calls: status.calls,
    failures: status.failures,
    timeouts: status.timeouts,
    crashes: status.crashes,
    restarts: status.restarts,
    in_flight: status.inFlight,
    draining_workers: status.drainingWorkers,
    heap_used_bytes: status.worker?.heap?.usedBytes ?? null,
    last_crash: status.lastCrash,
    accounts: status.accounts,
  }
}

export class PluginNode {
  readonly host: PluginHost
  readonly config: RegistryConfig
  #logger: HostLogger
  #bus: PluginHintBus | null = null
  #timer: NodeJS.Timeout | null = null
  #started = false
  /** Serializes passes; `#pending` is a pass queued but not started, shared by callers. */
  #chain: Promise<unknown> = Promise.resolve()
  #pending: Promise<NodeReconcileReport> | null = null
  /** Last revision applied without error, per plugin. */
  #applied = new Map<string, number>()
  #lastReport: NodeReconcileReport | null = null
  /** The desired set last applied without error (see #reconcile). */
  #appliedFingerprint: string | null = null

  constructor(config: RegistryConfig, logger: HostLogger, hostConfig: PluginHostConfig = {}) {
    this.config = config
    this.#logger = logger
    this.host = new PluginHost({
      logger,
      ...hostConfig,
      extraEgress: [...config.extraEgress, ...(hostConfig.extraEgress ?? [])],
    })
  }

  get nodeId(): string {
    return this.config.nodeId
  }

  /** True once start() ran: this process serves plugin calls. */
  get started(): boolean {
    return this.#started
  }

  /** Last revision of a plugin this node applied without error (live, not the stored row). */
  appliedRevision(pluginId: string): number | undefined {
    return this.#applied.get(pluginId)
  }

  get lastReport(): NodeReconcileReport | null {
    return this.#lastReport
  }

  /** Loads the desired state, then keeps following it. Never throws: a later tick retries. */
  async start(): Promise<void> {
    if (this.#started) return
    this.#started = true
    if (this.config.redisUrl) await this.connectHints(this.config.redisUrl)
    await this.#forgetSilentNodes()
    await this.reconcileNow().catch((error) => this.#reportFailure(error))
    this.#schedule()
  }

  /** Subscribes to change hints from other nodes (start() does it when REDIS_URL is set). */
  async connectHints(redisUrl: string): Promise<void> {
    if (this.#bus) return
    this.#bus = new PluginHintBus(redisUrl, this.#logger)
    await this.#bus.listen(this.nodeId, (hint) => {
      this.#logger.debug({ ...hint }, 'plugin change announced by another node')
      this.reconcileNow().catch((error) => this.#reportFailure(error))
    })
  }

  async disconnectHints(): Promise<void> {
    const bus = this.#bus
    this.#bus = null
    await bus?.close()
  }

  /** Stops the loop, marks this node offline, and stops every worker (app shutdown). */
  async stop(): Promise<void> {
    if (!this.#started) return
    this.#started = false
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    await this.#chain.catch(() => undefined)
    await this.disconnectHints()
    await PluginNodeStatus.query()
      .where('node_id', this.nodeId)
      .update({ state: 'offline', last_seen_at: DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss') })
      .catch((error) => this.#reportFailure(error))
    await this.host.shutdown()
    this.#appliedFingerprint = null
  }

  /**
   * Runs a reconcile pass after the one in progress (if any). Callers arriving while
   * a pass waits share it: it will read the database after their change committed.
   */
  reconcileNow(): Promise<NodeReconcileReport> {
    if (this.#pending) return this.#pending
    const run = this.#chain
      .catch(() => undefined)
      .then(() => {
        this.#pending = null
        return this.#reconcile()
      })
    this.#pending = run
    this.#chain = run
    return run
  }

  /**
   * After a change to the desired state committed: tell the other nodes, then apply
   * it here (when this process runs plugins) so the caller sees the result.
   */
  async applyChange(pluginId: string, revision: number): Promise<NodeReconcileReport | null> {
    const hint: PluginHint = { pluginId, revision, origin: this.nodeId }
    if (this.#bus) await this.#bus.publish(hint)
    else if (this.config.redisUrl) await publishHintOnce(this.config.redisUrl, hint, this.#logger)
    if (!this.#started) return null
    return this.reconcileNow()
  }

  #schedule() {
    if (!this.#started) return
    this.#timer = setTimeout(() => {
      this.reconcileNow()
        .catch((error) => this.#reportFailure(error))
        .finally(() => this.#schedule())
    }, this.config.reconcileMs)
    // The HTTP server keeps a hub alive; the timer alone must not (tests, ace).
    this.#timer.unref()
  }

  async #reconcile(): Promise<NodeReconcileReport> {
    const rows = await InstalledPlugin.query()
      .preload('package', (query) => query.select(...PACKAGE_SUMMARY_COLUMNS))
      .orderBy('id')
    const desired: DesiredPlugin[] = []
    const unpackErrors = new Map<string, string>()
    for (const row of rows) {
      if (!row.isInstalled) continue
      try {
        const dir = await ensureExtracted(this.config.pluginsDir, {
          id: row.package.id,
          pluginId: row.pluginId,
          version: row.version,
          sha256: row.package.sha256,
        })
        desired.push({ dir, manifest: row.package.manifest, enabled: row.enabled })
      } catch (error) {
        unpackErrors.set(row.pluginId, `cannot unpack ${row.version}: ${(error as Error).message}`)
        // Keep serving what runs rather than unloading it over an unreadable new version.
        const loaded = this.host.loaded(row.pluginId)
        if (loaded)
          desired.push({ dir: loaded.dir, manifest: loaded.manifest, enabled: row.enabled })
      }
    }

    // The host re-validates every manifest on reconcile; when the desired set is the
    // one last applied without error there is nothing to do (crashed workers are
    // restarted by their slot, not by reconcile).
    const fingerprint = JSON.stringify(
      desired.map((entry) => [entry.manifest?.id, entry.dir, entry.enabled])
    )
    let results = new Map<string, ReconcileResult>()
    if (unpackErrors.size > 0 || fingerprint !== this.#appliedFingerprint) {
      const applied = await this.host.reconcile(desired)
      results = new Map(applied.map((r) => [r.id, r]))
      const failed = unpackErrors.size > 0 || [...results.values()].some((r) => r.error)
      this.#appliedFingerprint = failed ? null : fingerprint
    }
    // Record applied revisions before the next await: a status read that sees the new
    // live slot state must also see the revision that produced it.
    for (const row of rows) {
      if (!unpackErrors.has(row.pluginId) && !results.get(row.pluginId)?.error) {
        this.#applied.set(row.pluginId, row.revision)
      }
    }
    for (const row of rows) {
      if (!row.isInstalled && !this.host.loaded(row.pluginId)) {
        if (existsSync(join(this.config.pluginsDir, row.pluginId))) {
          await removeExtracted(this.config.pluginsDir, row.pluginId)
        }
      }
    }

    const statuses = await this.host.status()
    const live = new Map(statuses.map((status) => [status.id, status]))
    const ownRows = await PluginNodeStatus.query().where('node_id', this.nodeId)
    const existing = new Map(ownRows.map((row) => [row.pluginId, row]))
    const now = DateTime.utc()
    const outcomes: NodePluginOutcome[] = []
    for (const row of rows) {
      const slot = live.get(row.pluginId)
      const result = results.get(row.pluginId)
      const error = unpackErrors.get(row.pluginId) ?? result?.error ?? null
      const state: NodePluginState = slot
        ? slot.state
        : error
          ? 'failed'
          : row.isInstalled && !row.enabled
            ? 'disabled'
            : 'unloaded'
      const status = existing.get(row.pluginId) ?? new PluginNodeStatus()
      // A node that never ran an uninstalled plugin has nothing to report about it.
      if (!status.$isPersisted && !slot && !row.isInstalled) continue
      const previousError = status.$isPersisted ? status.lastError : null
      status.merge({
        nodeId: this.nodeId,
        pluginId: row.pluginId,
        loadedVersion: slot ? slot.version : null,
        state,
        appliedRevision: this.#applied.get(row.pluginId) ?? 0,
        lastError: error,
      })
      // Write on change, else as a heartbeat: a node on a short interval would
      // otherwise rewrite every row several times a second for nothing.
      const heartbeatDue =
        !status.$isPersisted || now.diff(status.lastSeenAt).toMillis() >= HEARTBEAT_MS
      if (status.$isDirty || heartbeatDue) {
        status.merge({
          stats: { reconcile_ms: this.config.reconcileMs, ...(slot ? nodeStats(slot) : {}) },
          lastSeenAt: now,
        })
        await status.save()
      }
      if (error && error !== previousError) {
        this.#logger.warn(
          { plugin: row.pluginId, error },
          'plugin could not be applied on this node'
        )
      }
      outcomes.push({
        pluginId: row.pluginId,
        revision: row.revision,
        action: result?.action ?? 'none',
        state,
        loadedVersion: status.loadedVersion,
        error,
      })
    }
    this.#lastReport = { nodeId: this.nodeId, at: now.toISO()!, plugins: outcomes }
    return this.#lastReport
  }

  async #forgetSilentNodes() {
    const cutoff = DateTime.utc().minus({ hours: FORGET_NODES_AFTER_HOURS })
    await PluginNodeStatus.query()
      .where('last_seen_at', '<', cutoff.toFormat('yyyy-MM-dd HH:mm:ss'))
      .delete()
      .catch((error) => this.#reportFailure(error))
  }

  #reportFailure(error: unknown) {
    this.#logger.error({ error: (error as Error).message }, 'plugin reconcile failed')
  }
}
