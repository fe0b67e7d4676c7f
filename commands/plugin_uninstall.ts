import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/** Writes the desired state; the running hub nodes apply it. */
export default class PluginUninstall extends BaseCommand {
  static commandName = 'plugin:uninstall'
  static description =
    'Uninstall a carrier plugin everywhere (history and stored versions are kept)'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Plugin id, e.g. own_fleet' })
  declare id: string

  @flags.boolean({ description: 'Print the result as JSON' })
  declare json: boolean

  async run() {
    const { uninstallPlugin } = await import('#services/plugins/plugin_registry_service')
    const { runChangeCommand } = await import('#services/plugins/plugin_cli')
    await runChangeCommand(this, () => uninstallPlugin(this.id), this.json)
  }
}
