import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/** The desired state and what each hub node reported at its last reconcile. */
export default class PluginList extends BaseCommand {
  static commandName = 'plugin:list'
  static description = 'List carrier plugins with the version each hub node runs'
  static options: CommandOptions = { startApp: true }

  @flags.boolean({ description: 'Include uninstalled plugins' })
  declare all: boolean

  @flags.boolean({ description: 'Print the result as JSON' })
  declare json: boolean

  async run() {
    const { listPlugins } = await import('#services/plugins/plugin_query_service')
    const { default: PluginTransformer } = await import('#transformers/plugin_transformer')
    const views = await listPlugins({ include_uninstalled: this.all })
    const plugins = views.map((view) => new PluginTransformer(view).toObject())
    if (this.json) {
      this.logger.log(JSON.stringify(plugins))
      return
    }
    if (plugins.length === 0) {
      this.logger.info('No carrier plugins installed. Install one with plugin:install <tgz|folder>')
      return
    }
    const table = this.ui.table()
    table.head(['Plugin', 'Version', 'State', 'Revision', 'Nodes'])
    for (const plugin of plugins) {
      const nodes = plugin.nodes
        .filter((node) => node.state !== 'offline')
        .map(
          (node) =>
            `${node.node_id} ${node.loaded_version ?? '-'} ${node.state}${node.in_sync ? '' : ' (behind)'}`
        )
      table.row([
        plugin.id,
        plugin.version,
        plugin.status === 'uninstalled' ? 'uninstalled' : plugin.enabled ? 'enabled' : 'disabled',
        String(plugin.revision),
        nodes.join('\n') || '-',
      ])
    }
    table.render()
  }
}
