/**
 * Redis pub/sub hint that the plugins' desired state changed. Only a hint: the
 * database is the truth, and every node also reconciles on a timer, so a lost or
 * late message only delays a change until the next tick.
 */
import { Redis } from 'ioredis'
import type { HostLogger } from '#carriers/host_options'
import { PLUGIN_HINT_CHANNEL } from '#carriers/registry/registry_config'

export interface PluginHint {
  pluginId: string
  revision: number
  /** Node that made the change (it has already reconciled). */
  origin: string
}

const CONNECTION_OPTIONS = {
  lazyConnect: true,
  connectTimeout: 2_000,
  // A hint that cannot be sent now is worthless later: fail fast instead of queueing.
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
}

function parseHint(message: string): PluginHint | null {
  try {
    const value = JSON.parse(message) as PluginHint
    return typeof value.pluginId === 'string' && typeof value.origin === 'string' ? value : null
  } catch {
    return null
  }
}

export class PluginHintBus {
  #publisher: Redis
  #subscriber: Redis
  #logger: HostLogger

  constructor(redisUrl: string, logger: HostLogger) {
    this.#logger = logger
    this.#publisher = new Redis(redisUrl, CONNECTION_OPTIONS)
    this.#subscriber = new Redis(redisUrl, { ...CONNECTION_OPTIONS, enableOfflineQueue: true })
    for (const connection of [this.#publisher, this.#subscriber]) {
      // ioredis reconnects by itself; without a listener an outage would crash the process.
      connection.on('error', (error: Error) =>
        this.#logger.warn({ error: error.message }, 'plugin hint bus: redis error')
      )
    }
  }

  /** Subscribes; `onHint` runs for every hint from another node. Never throws. */
  async listen(nodeId: string, onHint: (hint: PluginHint) => void): Promise<void> {
    this.#subscriber.on('message', (channel: string, message: string) => {
      if (channel !== PLUGIN_HINT_CHANNEL) return
      const hint = parseHint(message)
      if (hint && hint.origin !== nodeId) onHint(hint)
    })
    try {
      await this.#subscriber.connect()
      await this.#subscriber.subscribe(PLUGIN_HINT_CHANNEL)
    } catch (error) {
      // ioredis keeps retrying and re-subscribes on reconnect; the timer covers the gap.
      this.#logger.warn(
        { error: (error as Error).message },
        'plugin hint bus: subscribe failed; relying on the reconcile timer'
      )
    }
  }

  async publish(hint: PluginHint): Promise<void> {
    try {
      if (this.#publisher.status === 'wait') await this.#publisher.connect()
      await this.#publisher.publish(PLUGIN_HINT_CHANNEL, JSON.stringify(hint))
    } catch (error) {
      this.#logger.warn(
        { error: (error as Error).message, ...hint },
        'plugin hint bus: publish failed; other nodes apply the change at their next tick'
      )
    }
  }

  async close(): Promise<void> {
    this.#subscriber.disconnect()
    this.#publisher.disconnect()
  }
}

/** One-off publish for processes that run no node (ace commands). */
export async function publishHintOnce(
  redisUrl: string,
  hint: PluginHint,
  logger: HostLogger
): Promise<void> {
  const bus = new PluginHintBus(redisUrl, logger)
  try {
    await bus.publish(hint)
  } finally {
    await bus.close()
  }
}
