/**
 * pack(dir) turns a plugin's source folder into the installable tarball:
 * `package/{manifest.json, <entry>, README.md, integrity.json}`, nothing else. The
 * tarball is reproducible (sorted entries, fixed times, no owners), so the same
 * sources always give the same sha256.
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { create } from 'tar'
import type { Manifest } from '../manifest.js'
import { bundlePlugin } from './bundle.js'
import { buildIntegrity, INTEGRITY_FILE, sha256 } from './integrity.js'
import {
  inspectPackage,
  MANIFEST_FILE,
  README_FILE,
  TARBALL_ROOT,
  type InspectOptions,
} from './inspect_package.js'
import { manifestProblems } from './manifest_validator.js'
import { PackageRejectedError } from './package_rejected_error.js'

export interface PackOptions extends InspectOptions {
  /** Where the .tgz goes. Default `<dir>/build`. */
  outDir?: string
  /**
   * `auto` (default) bundles `src/index.ts` into manifest.entry when that source exists,
   * `never` packs an entry built by other means (e.g. esbuild).
   */
  build?: 'auto' | 'never'
}

export interface PackResult {
  tarball: string
  sha256: string
  bytes: number
  manifest: Manifest
  /** Package-relative path → sha256, as written to integrity.json. */
  files: Record<string, string>
}

const FIXED_MTIME = new Date('2000-01-01T00:00:00Z')

export async function pack(dir: string, options: PackOptions = {}): Promise<PackResult> {
  const root = resolve(dir)
  const subject = `Plugin at ${root}`
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(join(root, MANIFEST_FILE), 'utf8'))
  } catch (error) {
    throw new PackageRejectedError(subject, [
      `${MANIFEST_FILE} cannot be read: ${(error as Error).message}`,
    ])
  }
  const problems = manifestProblems(parsed, options)
  if (problems.length > 0) {
    throw new PackageRejectedError(
      subject,
      problems.map((problem) => `${MANIFEST_FILE}: ${problem}`)
    )
  }
  const manifest = parsed as Manifest

  if ((options.build ?? 'auto') === 'auto' && existsSync(join(root, 'src', 'index.ts'))) {
    await bundlePlugin(root, { entry: 'src/index.ts', outFile: manifest.entry })
  }

  const files = new Map<string, Buffer>()
  for (const path of [MANIFEST_FILE, manifest.entry, README_FILE]) {
    const content = await readFile(join(root, path)).catch(() => null)
    if (!content) throw new PackageRejectedError(subject, [`${path} is missing`])
    files.set(path, content)
  }
  const integrity = buildIntegrity(files)
  files.set(INTEGRITY_FILE, Buffer.from(JSON.stringify(integrity, null, 2) + '\n'))

  const outDir = resolve(options.outDir ?? join(root, 'build'))
  const tarball = join(outDir, `${manifest.id}-${manifest.version}.tgz`)
  const staging = await mkdtemp(join(tmpdir(), 'plugin-pack-'))
  try {
    for (const [path, content] of files) {
      const target = join(staging, TARBALL_ROOT, path)
      await mkdir(dirname(target), { recursive: true })
      await writeFile(target, content)
    }
    await mkdir(outDir, { recursive: true })
    await create(
      {
        gzip: true,
        file: tarball,
        cwd: staging,
        portable: true,
        mtime: FIXED_MTIME,
        noDirRecurse: true,
      },
      [...files.keys()].sort().map((path) => `${TARBALL_ROOT}${path}`)
    )
  } finally {
    await rm(staging, { recursive: true, force: true })
  }

  // What we produced must pass the same checks an installer applies.
  const inspected = await inspectPackage(tarball, options)
  const content = await readFile(tarball)
  await writeFile(
    `${tarball}.sha256`,
    `${sha256(content)}  ${manifest.id}-${manifest.version}.tgz\n`
  )
  return {
    tarball,
    sha256: inspected.sha256!,
    bytes: content.length,
    manifest,
    files: integrity.files,
  }
}
