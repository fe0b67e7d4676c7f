/**
 * Makes sure a stored package version is unpacked on this node's disk. The bytes
 * come from the database (never from another node), are checked against the sha256
 * recorded at upload, and go through the same installer as an upload.
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { installedVersionDir, installPackage } from '#carriers/package_installer'
import { PackageRejectedError } from '#sdk/packaging/package_rejected_error'
import PluginPackage from '#models/plugin_package'

export interface PackageRef {
  id: number
  pluginId: string
  version: string
  sha256: string
}

/** Folders this process has already checked against the database, by sha256. */
const verified = new Map<string, string>()

async function unpack(file: string, pluginsDir: string, ref: PackageRef, dir: string) {
  try {
    await installPackage(file, pluginsDir, { expectedSha256: ref.sha256 })
  } catch (error) {
    if (!existsSync(dir)) throw error
    if (error instanceof PackageRejectedError) {
      // The folder holds other bytes under the same id and version (a disk that
      // outlived its database, or a hand edit). The database is the source of truth.
      await rm(dir, { recursive: true, force: true })
    }
    // Otherwise another process on this disk renamed its copy into place first;
    // installing again checks that copy and leaves it if it is identical.
    await installPackage(file, pluginsDir, { expectedSha256: ref.sha256 })
  }
}

/** Returns the unpacked folder of `ref`, unpacking it from the database when missing. */
export async function ensureExtracted(pluginsDir: string, ref: PackageRef): Promise<string> {
  const dir = installedVersionDir(pluginsDir, ref.pluginId, ref.version)
  if (verified.get(dir) === ref.sha256 && existsSync(join(dir, 'manifest.json'))) return dir

  const row = await PluginPackage.query().select('id', 'tarball').where('id', ref.id).firstOrFail()
  await mkdir(pluginsDir, { recursive: true })
  const staging = await mkdtemp(join(pluginsDir, '.incoming-'))
  try {
    const file = join(staging, `${ref.pluginId}-${ref.version}.tgz`)
    await writeFile(file, row.tarball)
    await unpack(file, pluginsDir, ref, dir)
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
  verified.set(dir, ref.sha256)
  return dir
}

/** Deletes every unpacked version of a plugin (after it was unloaded on uninstall). */
export async function removeExtracted(pluginsDir: string, pluginId: string): Promise<void> {
  const dir = join(pluginsDir, pluginId)
  for (const key of verified.keys()) if (key.startsWith(`${dir}/`)) verified.delete(key)
  await rm(dir, { recursive: true, force: true })
}
