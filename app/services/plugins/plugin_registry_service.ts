/**
 * Changes to the cluster's desired plugin state: install, upgrade, roll back,
 * disable, enable, uninstall. Each change is one transaction that bumps the
 * plugin's revision; afterwards the change is announced to the other nodes and
 * applied on this one (see PluginNode.applyChange). The API and the ace commands
 * both come through here.
 */
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { isNewerVersion } from '#sdk/packaging/semver'
import { PluginNode, type NodeReconcileReport } from '#carriers/registry/plugin_node'
import InstalledPlugin from '#models/installed_plugin'
import PluginPackage, { PACKAGE_SUMMARY_COLUMNS } from '#models/plugin_package'
import ProblemException from '#exceptions/problem'
import { isUniqueViolation } from '#services/idempotency_service'
import type { CheckedPackage } from '#services/plugins/package_checks'

export type PluginChange = 'install' | 'upgrade' | 'rollback' | 'disable' | 'enable' | 'uninstall'

export interface ChangeResult {
  plugin: InstalledPlugin
  /** Null when the request asked for the state the plugin was already in. */
  change: PluginChange | null
  /** For the audit log: what changed, from and to. */
  changes: Record<string, { from: unknown; to: unknown }>
  /** This node's reconcile after the change (null in processes that run no plugins). */
  node: NodeReconcileReport | null
}

function conflict(slug: string, detail: string) {
  return new ProblemException({ status: 409, slug, title: 'Conflict', detail })
}

async function lockPlugin(trx: TransactionClientContract, pluginId: string) {
  return InstalledPlugin.query({ client: trx }).where('plugin_id', pluginId).forUpdate().first()
}

async function findInstalledOrFail(trx: TransactionClientContract, pluginId: string) {
  const plugin = await lockPlugin(trx, pluginId)
  if (!plugin) throw ProblemException.notFound(`Plugin "${pluginId}"`)
  return plugin
}

function requireInstalled(plugin: InstalledPlugin) {
  if (!plugin.isInstalled) {
    throw conflict(
      'plugin-uninstalled',
      `Plugin "${plugin.pluginId}" is uninstalled; upload a package to install it again`
    )
  }
}

/** Two writers on one plugin: a unique-index race, or (MySQL) a deadlock between them. */
function isConcurrentWrite(error: unknown) {
  const code = (error as { code?: string }).code
  return isUniqueViolation(error) || code === 'ER_LOCK_DEADLOCK' || code === 'SQLITE_BUSY'
}

/** Runs a change; races between two changes (two uploads at once) become a 409, not a 500. */
async function transact<T>(work: (trx: TransactionClientContract) => Promise<T>): Promise<T> {
  try {
    return await db.transaction(work)
  } catch (error) {
    if (isConcurrentWrite(error)) {
      throw conflict(
        'concurrent-change',
        'Another change to this plugin happened at the same time; retry'
      )
    }
    throw error
  }
}

async function finish(
  plugin: InstalledPlugin,
  change: PluginChange | null,
  changes: ChangeResult['changes']
): Promise<ChangeResult> {
  let node: NodeReconcileReport | null = null
  if (change) {
    const local = await app.container.make(PluginNode)
    node = await local.applyChange(plugin.pluginId, plugin.revision)
  }
  return { plugin, change, changes, node }
}

/**
 * Stores a checked package and makes it the active version: a new id (or one that
 * was uninstalled) is installed, a newer version of an installed id is an upgrade
 * (blue/green on every node). The same version again, or an older one, is a 409.
 */
export async function installCheckedPackage(
  checked: CheckedPackage,
  uploadedBy: number | null
): Promise<ChangeResult> {
  const { manifest } = checked
  const outcome = await transact(async (trx) => {
    const current = await lockPlugin(trx, manifest.id)
    let stored = await PluginPackage.query({ client: trx })
      .select(...PACKAGE_SUMMARY_COLUMNS)
      .where('plugin_id', manifest.id)
      .where('version', manifest.version)
      .first()
    if (stored && stored.sha256 !== checked.sha256) {
      throw conflict(
        'version-exists',
        `${manifest.id}@${manifest.version} is already stored with different content; versions are immutable, publish a new version`
      )
    }
    if (current?.isInstalled) {
      if (current.version === manifest.version) {
        throw conflict(
          'version-installed',
          `${manifest.id}@${manifest.version} is already the active version`
        )
      }
      if (!isNewerVersion(manifest.version, current.version)) {
        throw conflict(
          'version-older',
          `${manifest.id}@${manifest.version} is older than the active ${current.version}; to go back, roll back to a stored version`
        )
      }
    }
    stored ??= await PluginPackage.create(
      {
        pluginId: manifest.id,
        version: manifest.version,
        sha256: checked.sha256,
        sizeBytes: checked.tarball.length,
        manifest,
        tarball: checked.tarball,
        uploadedBy,
      },
      { client: trx }
    )

    const now = DateTime.utc()
    if (!current) {
      const plugin = await InstalledPlugin.create(
        {
          pluginId: manifest.id,
          packageId: stored.id,
          version: manifest.version,
          name: manifest.name,
          enabled: true,
          revision: 1,
          installedAt: now,
          uninstalledAt: null,
        },
        { client: trx }
      )
      return { plugin, change: 'install' as const, from: null }
    }
    const from = current.isInstalled ? current.version : null
    current.merge({
      packageId: stored.id,
      version: manifest.version,
      name: manifest.name,
      revision: current.revision + 1,
    })
    if (!current.isInstalled) {
      current.merge({ enabled: true, installedAt: now, uninstalledAt: null })
    }
    await current.useTransaction(trx).save()
    return { plugin: current, change: from ? ('upgrade' as const) : ('install' as const), from }
  })
  return finish(outcome.plugin, outcome.change, {
    version: { from: outcome.from, to: manifest.version },
  })
}

/** Makes another stored version active (older or newer): blue/green like an upgrade. */
export async function rollbackPlugin(pluginId: string, version: string): Promise<ChangeResult> {
  const outcome = await transact(async (trx) => {
    const plugin = await findInstalledOrFail(trx, pluginId)
    requireInstalled(plugin)
    const target = await PluginPackage.query({ client: trx })
      .select(...PACKAGE_SUMMARY_COLUMNS)
      .where('plugin_id', pluginId)
      .where('version', version)
      .first()
    if (!target) {
      throw ProblemException.invalid(
        [
          {
            pointer: '/version',
            rule: 'exists',
            message: `no stored package ${pluginId}@${version}; upload it first`,
          },
        ],
        `Version ${version} of "${pluginId}" was never uploaded`
      )
    }
    if (target.version === plugin.version) {
      throw conflict('version-installed', `${pluginId}@${version} is already the active version`)
    }
    const from = plugin.version
    plugin.merge({
      packageId: target.id,
      version: target.version,
      name: target.manifest.name,
      revision: plugin.revision + 1,
    })
    await plugin.useTransaction(trx).save()
    return { plugin, from }
  })
  return finish(outcome.plugin, 'rollback', { version: { from: outcome.from, to: version } })
}

/** Disable drains calls in flight on every node, then stops the workers; enable starts them. */
export async function setPluginEnabled(pluginId: string, enabled: boolean): Promise<ChangeResult> {
  const plugin = await transact(async (trx) => {
    const found = await findInstalledOrFail(trx, pluginId)
    requireInstalled(found)
    if (found.enabled === enabled) return { plugin: found, changed: false }
    found.merge({ enabled, revision: found.revision + 1 })
    await found.useTransaction(trx).save()
    return { plugin: found, changed: true }
  })
  return finish(
    plugin.plugin,
    plugin.changed ? (enabled ? 'enable' : 'disable') : null,
    plugin.changed ? { enabled: { from: !enabled, to: enabled } } : {}
  )
}

/**
 * Unloads the plugin everywhere and deletes its unpacked files. The row and the
 * stored packages stay: accounts, webhook events and orders still name the carrier,
 * and uploading a package installs it again.
 */
export async function uninstallPlugin(pluginId: string): Promise<ChangeResult> {
  const outcome = await transact(async (trx) => {
    const plugin = await findInstalledOrFail(trx, pluginId)
    if (!plugin.isInstalled) return { plugin, changed: false }
    plugin.merge({
      enabled: false,
      uninstalledAt: DateTime.utc(),
      revision: plugin.revision + 1,
    })
    await plugin.useTransaction(trx).save()
    return { plugin, changed: true }
  })
  return finish(
    outcome.plugin,
    outcome.changed ? 'uninstall' : null,
    outcome.changed ? { version: { from: outcome.plugin.version, to: null } } : {}
  )
}
