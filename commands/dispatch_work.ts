import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/**
 * A dispatch worker: consumes dispatch jobs (quotes, sends, acceptance timeouts,
 * status polls) from the shared BullMQ queue. Run M of these beside N web
 * processes started with DISPATCH_WORKER=false; all share MySQL and REDIS_URL.
 */
export default class DispatchWork extends BaseCommand {
  static commandName = 'dispatch:work'
  static description = 'Run a dispatch worker (needs REDIS_URL so web processes can hand it jobs)'
  static options: CommandOptions = { startApp: true, staysAlive: true }

  async run() {
    const { dispatchConfig } = await import('#config/dispatch')
    if (!dispatchConfig.redisUrl) {
      this.logger.error(
        'dispatch:work needs REDIS_URL: without it the web process dispatches in-process'
      )
      this.exitCode = 1
      return
    }
    const { PluginNode } = await import('#carriers/registry/plugin_node')
    const { DispatchRuntime } = await import('#dispatch/pipeline/dispatch_runtime')
    const node = await this.app.container.make(PluginNode)
    await node.start()
    const runtime = await this.app.container.make(DispatchRuntime)
    const { startLiveEvents } = await import('#dispatch/pipeline/live_events')
    // Status changes made here reach browsers through the web nodes (Redis transport).
    startLiveEvents()
    await runtime.startWorker()
    this.logger.info(
      `dispatch worker ${process.pid} consuming "${dispatchConfig.queueName}" (concurrency ${dispatchConfig.concurrency})`
    )

    const stop = async () => {
      await runtime.stop()
      await node.stop()
      await this.terminate()
    }
    process.once('SIGTERM', () => void stop())
    process.once('SIGINT', () => void stop())
  }
}
