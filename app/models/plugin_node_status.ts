import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

export type NodePluginState =
  'loading' | 'ready' | 'restarting' | 'disabled' | 'unloaded' | 'failed' | 'offline' | 'stopped'

/** What one hub node reported about one plugin at its last reconcile. */
export default class PluginNodeStatus extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare nodeId: string

  @column()
  declare pluginId: string

  @column()
  declare loadedVersion: string | null

  @column()
  declare state: NodePluginState

  @column()
  declare appliedRevision: number

  @column()
  declare lastError: string | null

  @column({
    prepare: (value: unknown) =>
      value === null || value === undefined ? null : JSON.stringify(value),
    consume: (value: string | null) => (typeof value === 'string' ? JSON.parse(value) : value),
  })
  declare stats: Record<string, unknown> | null

  @column.dateTime()
  declare lastSeenAt: DateTime
}
