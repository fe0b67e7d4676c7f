import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'
import type { Manifest } from '#sdk/manifest'

/** Columns to select when the tarball bytes are not needed (every read but extraction). */
export const PACKAGE_SUMMARY_COLUMNS = [
  'id',
  'plugin_id',
  'version',
  'sha256',
  'size_bytes',
  'manifest',
  'uploaded_by',
  'created_at',
] as const

/** One uploaded, checked plugin version. Immutable once stored. */
export default class PluginPackage extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column()
  declare pluginId: string

  @column()
  declare version: string

  @column({ columnName: 'sha256' })
  declare sha256: string

  @column()
  declare sizeBytes: number

  @column({
    prepare: (value: Manifest) => JSON.stringify(value),
    consume: (value: string | Manifest) =>
      typeof value === 'string' ? (JSON.parse(value) as Manifest) : value,
  })
  declare manifest: Manifest

  /** The .tgz as uploaded. Only loaded when a node has to unpack it. */
  @column({ serializeAs: null })
  declare tarball: Buffer

  @column()
  declare uploadedBy: number | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime
}
