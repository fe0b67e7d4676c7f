import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/** Switches a plugin to another stored version; every hub node switches blue/green. */
export default class PluginRollback extends BaseCommand {
  static commandName = 'plugin:rollback'
  static description = 'Switch a carrier plugin to another stored version'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Plugin id, e.g. own_fleet' })
  declare id: string

  @args.string({ description: 'A version uploaded before, e.g. 1.0.0' })
  declare version: string

  @flags.boolean({ description: 'Print the result as JSON' })
  declare json: boolean

  async run() {
    const { rollbackPlugin } = await import('#services/plugins/plugin_registry_service')
    const { runChangeCommand } = await import('#services/plugins/plugin_cli')
    await runChangeCommand(this, () => rollbackPlugin(this.id, this.version), this.json)
  }
}
