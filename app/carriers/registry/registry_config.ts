/**
 * Settings of this node's plugin registry, read once from the validated env.
 */
import { hostname } from 'node:os'
import { isAbsolute, join } from 'node:path'
import app from '@adonisjs/core/services/app'
import env from '#start/env'

export interface RegistryConfig {
  /** How this node names itself in plugin_node_statuses. Stable for the process's life. */
  nodeId: string
  /** Where this node unpacks plugin versions (`<dir>/<id>/<version>/`). */
  pluginsDir: string
  /** Period of the reconcile loop. */
  reconcileMs: number
  /** Set: changes are announced on Redis pub/sub so other nodes reconcile at once. */
  redisUrl: string | null
  /** Egress hosts added to every plugin (e.g. the local carrier sandbox in development). */
  extraEgress: string[]
}

export const DEFAULT_RECONCILE_MS = 5_000

/** Redis channel of the "desired state changed" hint. */
export const PLUGIN_HINT_CHANNEL = 'courier-hub:plugins:changed'

export function registryConfig(): RegistryConfig {
  const dir = env.get('PLUGINS_DIR') ?? 'tmp/plugins'
  const reconcileMs = env.get('PLUGIN_RECONCILE_MS') ?? DEFAULT_RECONCILE_MS
  if (!Number.isInteger(reconcileMs) || reconcileMs < 50) {
    throw new Error(`PLUGIN_RECONCILE_MS must be an integer of at least 50 (got ${reconcileMs})`)
  }
  return {
    nodeId: env.get('NODE_ID') || `${hostname()}:${process.pid}`,
    pluginsDir: isAbsolute(dir) ? dir : join(app.makePath(), dir),
    reconcileMs,
    redisUrl: env.get('REDIS_URL') || null,
    extraEgress: (env.get('PLUGIN_EXTRA_EGRESS') ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
  }
}
