/**
 * Checks a plugin package (a .tgz from pack(), or an unpacked folder) before anything
 * of it is trusted: sizes, entry types and paths, the manifest, the host API range,
 * integrity digests, the entry file and its imports. Nothing is written to disk here;
 * the files come back in memory for the installer to write.
 */
import { lstat, readdir, readFile, stat } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { Parser, type ReadEntry } from 'tar'
import type { Manifest } from '../manifest.js'
import { SDK_CONTRACT_VERSION } from '../manifest.js'
import { entryImportProblems } from './entry_check.js'
import { INTEGRITY_FILE, integrityProblems, sha256, type IntegrityDocument } from './integrity.js'
import { DEFAULT_PACKAGE_LIMITS, formatBytes, type PackageLimits } from './limits.js'
import { manifestProblems } from './manifest_validator.js'
import { PackageRejectedError } from './package_rejected_error.js'

/** Every file of a package lives under this folder inside the tarball (as with npm). */
export const TARBALL_ROOT = 'package/'

export const MANIFEST_FILE = 'manifest.json'
export const README_FILE = 'README.md'

export interface InspectOptions {
  /** The host contract version the manifest's hostApi must accept. Default: this SDK's. */
  hostApiVersion?: string
  limits?: Partial<PackageLimits>
  /** When the registry already knows the tarball's digest (e.g. from a signed index). */
  expectedSha256?: string
}

export interface InspectedPackage {
  manifest: Manifest
  /** Package-relative path → content. */
  files: Map<string, Buffer>
  integrity: IntegrityDocument
  /** sha256 of the tarball; null when a folder was inspected. */
  sha256: string | null
  bytes: number
}

interface CollectedFiles {
  files: Map<string, Buffer>
  problems: string[]
}

function pathProblem(path: string): string | null {
  if (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\')) {
    return `entry "${path}" has an absolute path`
  }
  if (path.split(/[\\/]/).includes('..'))
    return `entry "${path}" escapes the package folder with ".."`
  return null
}

async function collectFromTarball(
  file: string,
  limits: PackageLimits
): Promise<CollectedFiles & { digest: string; bytes: number }> {
  const raw = await readFile(file)
  const problems: string[] = []
  const files = new Map<string, Buffer>()
  let total = 0
  let count = 0
  await new Promise<void>((resolvePromise) => {
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        count++
        const path = entry.path
        const problem = pathProblem(path)
        if (problem) {
          problems.push(problem)
        } else if (entry.type === 'Directory') {
          // Folders carry no content; files inside them are checked on their own.
        } else if (entry.type !== 'File' && entry.type !== 'OldFile') {
          problems.push(
            `entry "${path}" is a ${entry.type}; packages may contain regular files only`
          )
        } else if (!path.startsWith(TARBALL_ROOT)) {
          problems.push(`entry "${path}" is outside the "${TARBALL_ROOT}" folder`)
        } else if (entry.size > limits.maxFileBytes) {
          problems.push(
            `${path.slice(TARBALL_ROOT.length)} is ${formatBytes(entry.size)}; the per-file limit is ${formatBytes(limits.maxFileBytes)}`
          )
        } else if ((total += entry.size) > limits.maxTotalBytes) {
          problems.push(`the unpacked package exceeds ${formatBytes(limits.maxTotalBytes)}`)
        } else {
          const relativePath = path.slice(TARBALL_ROOT.length)
          if (files.has(relativePath)) problems.push(`entry "${path}" appears twice`)
          const chunks: Buffer[] = []
          entry.on('data', (chunk: Buffer) => chunks.push(chunk))
          entry.on('end', () => files.set(relativePath, Buffer.concat(chunks)))
          return
        }
        entry.resume()
      },
    })
    parser.on('error', (error: Error) => {
      problems.push(`the tarball is corrupt: ${error.message}`)
      resolvePromise()
    })
    parser.on('warn', (_code: string, message: string | Error) => {
      problems.push(
        `the tarball is malformed: ${message instanceof Error ? message.message : message}`
      )
    })
    parser.on('end', () => resolvePromise())
    parser.end(raw)
  })
  if (count > limits.maxFiles)
    problems.push(`the package has ${count} entries; the limit is ${limits.maxFiles}`)
  return { files, problems: [...new Set(problems)], digest: sha256(raw), bytes: raw.length }
}

async function collectFromFolder(
  dir: string,
  limits: PackageLimits
): Promise<CollectedFiles & { bytes: number }> {
  const problems: string[] = []
  const files = new Map<string, Buffer>()
  let total = 0
  async function walk(folder: string): Promise<void> {
    for (const name of await readdir(folder)) {
      const full = join(folder, name)
      const path = relative(dir, full).split(sep).join('/')
      const info = await lstat(full)
      if (info.isSymbolicLink()) {
        problems.push(`entry "${path}" is a symbolic link; packages may contain regular files only`)
      } else if (info.isDirectory()) {
        await walk(full)
      } else if (!info.isFile()) {
        problems.push(`entry "${path}" is not a regular file`)
      } else if (info.size > limits.maxFileBytes) {
        problems.push(
          `${path} is ${formatBytes(info.size)}; the per-file limit is ${formatBytes(limits.maxFileBytes)}`
        )
      } else if ((total += info.size) > limits.maxTotalBytes) {
        problems.push(`the unpacked package exceeds ${formatBytes(limits.maxTotalBytes)}`)
      } else {
        files.set(path, await readFile(full))
      }
    }
  }
  await walk(dir)
  if (files.size > limits.maxFiles)
    problems.push(`the package has ${files.size} files; the limit is ${limits.maxFiles}`)
  return { files, problems, bytes: total }
}

/** Checks that need the manifest: allowed file set, entry, integrity, imports. */
function contentProblems(
  files: Map<string, Buffer>,
  options: InspectOptions
): { manifest?: Manifest; problems: string[] } {
  const problems: string[] = []
  for (const path of files.keys()) {
    if (path.endsWith('.node'))
      problems.push(`${path} is a native addon; plugins must be pure JavaScript`)
  }
  const rawManifest = files.get(MANIFEST_FILE)
  if (!rawManifest) return { problems: [...problems, `${MANIFEST_FILE} is missing`] }
  let parsed: unknown
  try {
    parsed = JSON.parse(rawManifest.toString('utf8'))
  } catch (error) {
    return {
      problems: [...problems, `${MANIFEST_FILE} is not valid JSON: ${(error as Error).message}`],
    }
  }
  const invalid = manifestProblems(parsed, {
    hostApiVersion: options.hostApiVersion ?? SDK_CONTRACT_VERSION,
  })
  if (invalid.length > 0)
    return { problems: [...problems, ...invalid.map((problem) => `${MANIFEST_FILE}: ${problem}`)] }
  const manifest = parsed as Manifest

  const allowed = new Set([MANIFEST_FILE, INTEGRITY_FILE, README_FILE, manifest.entry])
  for (const path of files.keys()) {
    if (!allowed.has(path) && !path.endsWith('.node')) {
      problems.push(`unexpected file ${path}: a package holds only ${[...allowed].join(', ')}`)
    }
  }
  const entry = files.get(manifest.entry)
  if (!entry) {
    problems.push(`entry file ${manifest.entry} (manifest.entry) is missing from the package`)
  } else {
    problems.push(...entryImportProblems(entry.toString('utf8'), manifest.entry))
  }
  if (!files.has(README_FILE))
    problems.push(`${README_FILE} is missing; every plugin documents its account settings`)
  problems.push(...integrityProblems(files))
  return { manifest, problems }
}

/** Throws PackageRejectedError listing every problem; returns the checked package otherwise. */
export async function inspectPackage(
  source: string,
  options: InspectOptions = {}
): Promise<InspectedPackage> {
  const limits = { ...DEFAULT_PACKAGE_LIMITS, ...options.limits }
  const info = await stat(source).catch(() => null)
  if (!info) throw new PackageRejectedError(`Package ${source}`, [`${source} does not exist`])

  let collected: CollectedFiles & { bytes: number }
  let digest: string | null = null
  if (info.isDirectory()) {
    collected = await collectFromFolder(source, limits)
  } else {
    if (info.size > limits.maxPackageBytes) {
      throw new PackageRejectedError(`Package ${source}`, [
        `the package is ${formatBytes(info.size)}; the limit is ${formatBytes(limits.maxPackageBytes)}`,
      ])
    }
    const fromTarball = await collectFromTarball(source, limits)
    digest = fromTarball.digest
    collected = fromTarball
    if (options.expectedSha256 && options.expectedSha256 !== digest) {
      collected.problems.push(
        `the tarball's sha256 is ${digest}, expected ${options.expectedSha256}`
      )
    }
  }
  const { manifest, problems } = contentProblems(collected.files, options)
  const all = [...collected.problems, ...problems]
  if (all.length > 0 || !manifest) throw new PackageRejectedError(`Package ${source}`, all)
  return {
    manifest,
    files: collected.files,
    integrity: JSON.parse(
      collected.files.get(INTEGRITY_FILE)!.toString('utf8')
    ) as IntegrityDocument,
    sha256: digest,
    bytes: collected.bytes,
  }
}
