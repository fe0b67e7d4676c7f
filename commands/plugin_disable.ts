import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/** Writes the desired state; the running hub nodes apply it. */
export default class PluginDisable extends BaseCommand {
  static commandName = 'plugin:disable'
  static description = 'Disable a carrier plugin on every hub node (calls in flight finish)'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Plugin id, e.g. own_fleet' })
  declare id: string

  @flags.boolean({ description: 'Print the result as JSON' })
  declare json: boolean

  async run() {
    const { setPluginEnabled } = await import('#services/plugins/plugin_registry_service')
    const { runChangeCommand } = await import('#services/plugins/plugin_cli')
    await runChangeCommand(this, () => setPluginEnabled(this.id, false), this.json)
  }
}
