import type { CommandOptions } from '@adonisjs/core/types/ace'
import PluginInstall from '#commands/plugin_install'

/** Installs a newer version of an installed plugin; every hub node switches blue/green. */
export default class PluginUpgrade extends PluginInstall {
  static commandName = 'plugin:upgrade'
  static description = 'Upgrade an installed carrier plugin to a newer version (.tgz or folder)'
  static options: CommandOptions = { startApp: true }

  protected expect: 'install' | 'upgrade' = 'upgrade'
}
