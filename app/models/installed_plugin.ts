import { DateTime } from 'luxon'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import type { LocalizedText } from '#sdk/manifest'
import PluginPackage from '#models/plugin_package'

/** The desired state of one plugin id across the cluster. */
export default class InstalledPlugin extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare pluginId: string

  @column()
  declare packageId: number

  @column()
  declare version: string

  @column({
    prepare: (value: LocalizedText) => JSON.stringify(value),
    consume: (value: string | LocalizedText) =>
      typeof value === 'string' ? (JSON.parse(value) as LocalizedText) : value,
  })
  declare name: LocalizedText

  @column({ consume: (value: unknown) => Boolean(value) })
  declare enabled: boolean

  /** Bumped on every change; nodes report the revision they applied. */
  @column()
  declare revision: number

  @column.dateTime()
  declare installedAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @column.dateTime()
  declare uninstalledAt: DateTime | null

  @belongsTo(() => PluginPackage, { foreignKey: 'packageId' })
  declare package: BelongsTo<typeof PluginPackage>

  get isInstalled() {
    return this.uninstalledAt === null
  }
}
