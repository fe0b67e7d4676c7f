/**
 * Unpacks a checked plugin package into `<pluginsRoot>/<id>/<version>/`, the folder a
 * worker is later allowed to read. Files are written from the inspected in-memory copy
 * (never by extracting the tarball), into a temporary folder renamed into place, so a
 * half-written version is never visible.
 */
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import type { Manifest } from '#sdk/manifest'
import { inspectPackage, type InspectOptions } from '#sdk/packaging/inspect_package'
import { INTEGRITY_FILE } from '#sdk/packaging/integrity'
import { PackageRejectedError } from '#sdk/packaging/package_rejected_error'
import { HOST_API_VERSION } from '#carriers/host_api_version'

export interface InstalledPackage {
  id: string
  version: string
  /** Absolute folder to hand to PluginHost.load/upgrade. */
  dir: string
  /** sha256 of the tarball, for the registry row. */
  sha256: string
  manifest: Manifest
}

export function installedVersionDir(pluginsRoot: string, id: string, version: string): string {
  return join(resolve(pluginsRoot), id, version)
}

/**
 * Inspects and unpacks a tarball. Installing the same version twice with the same
 * content is a no-op; with different content it is refused (versions are immutable).
 */
export async function installPackage(
  tarball: string,
  pluginsRoot: string,
  options: InspectOptions = {}
): Promise<InstalledPackage> {
  const inspected = await inspectPackage(tarball, { hostApiVersion: HOST_API_VERSION, ...options })
  const { manifest } = inspected
  const target = installedVersionDir(pluginsRoot, manifest.id, manifest.version)
  const result = {
    id: manifest.id,
    version: manifest.version,
    dir: target,
    sha256: inspected.sha256!,
    manifest,
  }

  if (existsSync(target)) {
    const existing = await readFile(join(target, INTEGRITY_FILE)).catch(() => null)
    if (existing && existing.equals(inspected.files.get(INTEGRITY_FILE)!)) return result
    throw new PackageRejectedError(`Package ${tarball}`, [
      `${manifest.id}@${manifest.version} is already installed with different content; publish a new version`,
    ])
  }

  const staging = `${target}.partial-${randomUUID()}`
  try {
    for (const [path, content] of inspected.files) {
      const file = join(staging, path)
      await mkdir(dirname(file), { recursive: true })
      await writeFile(file, content, { mode: 0o444 })
    }
    await rename(staging, target)
  } catch (error) {
    await rm(staging, { recursive: true, force: true })
    throw error
  }
  return result
}

/** Removes an installed version's folder (after the registry stopped using it everywhere). */
export async function removeInstalledVersion(
  pluginsRoot: string,
  id: string,
  version: string
): Promise<void> {
  await rm(installedVersionDir(pluginsRoot, id, version), { recursive: true, force: true })
}
