import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/**
 * Installs a carrier plugin from the command line: the same checks and the same
 * database write as an upload through the admin API. The hub processes running
 * against this database pick the change up; this process serves no calls (it only
 * starts a throw-away worker to check that the package starts).
 */
export default class PluginInstall extends BaseCommand {
  static commandName = 'plugin:install'
  static description = 'Install a carrier plugin (.tgz, or a plugin folder packed first)'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'A .tgz from plugin:pack, or a plugin source folder' })
  declare source: string

  @flags.boolean({ description: 'Print the result as JSON' })
  declare json: boolean

  /** plugin:upgrade reuses this command with the opposite expectation. */
  protected expect: 'install' | 'upgrade' = 'install'

  async run() {
    const { PluginNode } = await import('#carriers/registry/plugin_node')
    const { checkPackageFile } = await import('#services/plugins/package_checks')
    const { installCheckedPackage } = await import('#services/plugins/plugin_registry_service')
    const { tarballFrom, explain, propagationNote } = await import('#services/plugins/plugin_cli')
    const { recordAudit } = await import('#services/audit_service')
    const { default: InstalledPlugin } = await import('#models/installed_plugin')

    const node = await this.app.container.make(PluginNode)
    let cleanup = async () => {}
    try {
      const source = await tarballFrom(this.source)
      cleanup = source.cleanup
      const checked = await checkPackageFile(source.tarball, {
        extraEgress: node.config.extraEgress,
      })
      const { id, version } = checked.manifest
      const current = await InstalledPlugin.findBy('plugin_id', id)
      if (this.expect === 'install' && current?.isInstalled) {
        this.logger.error(
          `${id} is already installed (version ${current.version}); use plugin:upgrade for ${version}`
        )
        this.exitCode = 1
        return
      }
      if (this.expect === 'upgrade' && !current?.isInstalled) {
        this.logger.error(`${id} is not installed; use plugin:install`)
        this.exitCode = 1
        return
      }
      const result = await installCheckedPackage(checked, null)
      await recordAudit(
        null,
        `plugin.${result.change}`,
        { type: 'plugin', id },
        { ...result.changes, revision: result.plugin.revision, sha256: checked.sha256, via: 'cli' }
      )
      if (this.json) {
        this.logger.log(
          JSON.stringify({
            id,
            version,
            change: result.change,
            revision: result.plugin.revision,
            sha256: checked.sha256,
          })
        )
        return
      }
      this.logger.success(
        `${result.change === 'upgrade' ? 'Upgraded' : 'Installed'} ${id}@${version} (revision ${result.plugin.revision})`
      )
      this.logger.log(`  sha256 ${checked.sha256}`)
      this.logger.log(`  ${propagationNote(node.config.redisUrl, node.config.reconcileMs)}`)
    } catch (error) {
      const message = explain(error)
      if (message === null) throw error
      this.logger.error(message)
      this.exitCode = 1
    } finally {
      await cleanup()
    }
  }
}
