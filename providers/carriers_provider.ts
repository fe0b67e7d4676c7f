import type { ApplicationService } from '@adonisjs/core/types'
import { PluginNode } from '#carriers/registry/plugin_node'
import { registryConfig } from '#carriers/registry/registry_config'

/**
 * Binds this process's PluginNode (one plugin host per process) and runs it where
 * carrier calls happen: the HTTP server. Ace commands (migration:run, plugin:install…)
 * only write the desired state and serve no plugin calls; a queue worker process
 * starts the node itself: `(await app.container.make(PluginNode)).start()`.
 */
export default class CarriersProvider {
  #node: PluginNode | null = null

  constructor(protected app: ApplicationService) {}

  register() {
    this.app.container.singleton(PluginNode, async (resolver) => {
      const logger = await resolver.make('logger')
      this.#node = new PluginNode(registryConfig(), logger.child({ component: 'carrier-plugins' }))
      return this.#node
    })
  }

  async ready() {
    if (this.app.getEnvironment() !== 'web') return
    const node = await this.app.container.make(PluginNode)
    await node.start()
  }

  async shutdown() {
    await this.#node?.stop()
    // The keep-alive connections plugin calls used; shared by every host in the process.
    const { closeHostHttpClient } = await import('#carriers/host_fetch')
    await closeHostHttpClient()
  }
}
