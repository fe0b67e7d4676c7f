/**
 * Shared by the `plugin:*` ace commands: turning a source folder into a tarball,
 * and printing a refused change the way the API would explain it.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pack } from '#sdk/packaging/pack'
import { PackageRejectedError } from '#sdk/packaging/package_rejected_error'
import { HOST_API_VERSION } from '#carriers/host_api_version'
import ProblemException from '#exceptions/problem'
import { invalidPackage } from '#services/plugins/package_checks'
import type { ChangeResult } from '#services/plugins/plugin_registry_service'

/**
 * A .tgz as is, or a plugin folder packed into a temporary one (removed by `cleanup`).
 */
export async function tarballFrom(source: string) {
  const path = resolve(source)
  const info = await stat(path).catch(() => null)
  if (!info) throw invalidPackage([`${source} does not exist`])
  if (!info.isDirectory()) return { tarball: path, cleanup: async () => {} }
  const scratch = await mkdtemp(join(tmpdir(), 'plugin-install-'))
  try {
    const packed = await pack(path, { outDir: scratch, hostApiVersion: HOST_API_VERSION })
    return { tarball: packed.tarball, cleanup: () => rm(scratch, { recursive: true, force: true }) }
  } catch (error) {
    await rm(scratch, { recursive: true, force: true })
    if (error instanceof PackageRejectedError) throw invalidPackage(error.problems)
    throw error
  }
}

/** One line per problem, as an admin reads them in a terminal. */
export function explain(error: unknown): string | null {
  if (!(error instanceof ProblemException)) return null
  const lines = [error.detail ?? error.title]
  for (const field of error.errors) {
    if (field.message !== error.detail)
      lines.push(`  - ${field.pointer || '(body)'}: ${field.message}`)
  }
  return lines.join('\n')
}

/** Where a running hub's nodes will pick the change up, for the success message. */
export function propagationNote(redisUrl: string | null, reconcileMs: number): string {
  return redisUrl
    ? 'Running hub nodes apply it now (Redis hint), or within their reconcile interval.'
    : `Running hub nodes apply it within their reconcile interval (${reconcileMs} ms here).`
}

export interface ChangeCommand {
  logger: {
    success(message: string): void
    info(message: string): void
    error(message: string): void
    log(message: string): void
  }
  exitCode?: number
}

/**
 * Runs a desired-state change for an ace command: audits it (actor "system"),
 * reports what happened, and turns refusals (404, 409, 422) into an exit code 1.
 */
export async function runChangeCommand(
  command: ChangeCommand,
  change: () => Promise<ChangeResult>,
  json: boolean
) {
  const { recordAudit } = await import('#services/audit_service')
  const { PluginNode } = await import('#carriers/registry/plugin_node')
  const { default: app } = await import('@adonisjs/core/services/app')
  try {
    const result = await change()
    const { plugin } = result
    if (result.change) {
      await recordAudit(
        null,
        `plugin.${result.change}`,
        { type: 'plugin', id: plugin.pluginId },
        { ...result.changes, revision: plugin.revision, via: 'cli' }
      )
    }
    const summary = {
      id: plugin.pluginId,
      version: plugin.version,
      enabled: plugin.enabled,
      status: plugin.isInstalled ? 'installed' : 'uninstalled',
      change: result.change,
      revision: plugin.revision,
    }
    if (json) {
      command.logger.log(JSON.stringify(summary))
      return
    }
    if (!result.change) {
      command.logger.info(
        `${plugin.pluginId} was already ${summary.enabled ? 'enabled' : summary.status === 'uninstalled' ? 'uninstalled' : 'disabled'}; nothing changed`
      )
      return
    }
    const node = await app.container.make(PluginNode)
    command.logger.success(
      `${plugin.pluginId}: ${result.change} done (version ${plugin.version}, revision ${plugin.revision})`
    )
    command.logger.log(`  ${propagationNote(node.config.redisUrl, node.config.reconcileMs)}`)
  } catch (error) {
    const message = explain(error)
    if (message === null) throw error
    command.logger.error(message)
    command.exitCode = 1
  }
}
