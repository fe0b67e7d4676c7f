import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import { pack } from '#sdk/packaging/pack'
import { HOST_API_VERSION } from '#carriers/host_api_version'

/** The carrier plugins that ship in plugins/ (the SDK folder is not one). */
export const BUILTIN_PLUGINS = [
  'own_fleet',
  'dada',
  'meituan',
  'fengniao',
  'sf_same_city',
  'shansong',
  'uu',
]

/**
 * Packs and installs the shipped plugins that are not installed yet (or are at an
 * older version), exactly as an admin's upload would: same checks, same registry.
 * Returns what it installed.
 */
export async function installBuiltinPlugins(ids: string[] = BUILTIN_PLUGINS) {
  const { default: InstalledPlugin } = await import('#models/installed_plugin')
  const { checkPackageFile } = await import('#services/plugins/package_checks')
  const { installCheckedPackage } = await import('#services/plugins/plugin_registry_service')
  const installed: string[] = []
  for (const id of ids) {
    const dir = app.makePath('plugins', id)
    let manifest: { version: string }
    try {
      manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'))
    } catch {
      continue // not shipped in this checkout
    }
    const current = await InstalledPlugin.findBy('plugin_id', id)
    if (current?.isInstalled && current.version === manifest.version) continue
    const outDir = await mkdtemp(join(tmpdir(), `hub-builtin-${id}-`))
    try {
      const packed = await pack(dir, { outDir, hostApiVersion: HOST_API_VERSION })
      await installCheckedPackage(await checkPackageFile(packed.tarball), null)
      installed.push(id)
    } finally {
      await rm(outDir, { recursive: true, force: true })
    }
  }
  return installed
}
