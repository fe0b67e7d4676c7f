/**
 * What a package must pass before it is stored: every installer check (sizes,
 * paths, manifest, host API range, integrity, entry imports) and a real start in a
 * sandboxed worker, exactly as `node ace plugin:verify` does. A package that fails
 * is refused with every problem named; nothing is written.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Manifest } from '#sdk/manifest'
import { inspectPackage } from '#sdk/packaging/inspect_package'
import { PackageRejectedError } from '#sdk/packaging/package_rejected_error'
import { CarrierError } from '#sdk/errors'
import { HOST_API_VERSION } from '#carriers/host_api_version'
import { installPackage } from '#carriers/package_installer'
import { PluginHost } from '#carriers/plugin_host'
import ProblemException, { type FieldError } from '#exceptions/problem'

export interface CheckedPackage {
  manifest: Manifest
  sha256: string
  /** The tarball as uploaded: stored so every node unpacks the very bytes checked here. */
  tarball: Buffer
}

export function invalidPackage(problems: string[], pointer = '/package', rule = 'package') {
  const errors: FieldError[] = problems.map((message) => ({ pointer, rule, message }))
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem(s))` : ''
  return new ProblemException({
    status: 422,
    slug: 'invalid-package',
    title: 'Invalid plugin package',
    detail: `The package was rejected: ${problems[0]}${more}`,
    errors,
  })
}

/** Starts the plugin in a throw-away host: it must answer the handshake and a ping. */
async function smokeStart(file: string, extraEgress: string[]) {
  const scratch = await mkdtemp(join(tmpdir(), 'plugin-preflight-'))
  const host = new PluginHost({ startTimeoutMs: 5_000, extraEgress })
  try {
    const installed = await installPackage(file, scratch)
    await host.load(installed.dir, installed.manifest)
  } catch (error) {
    if (error instanceof CarrierError || error instanceof PackageRejectedError) {
      const problems =
        error instanceof PackageRejectedError ? error.problems : [`cannot start: ${error.message}`]
      throw invalidPackage(problems, '/package', 'start')
    }
    throw error
  } finally {
    await host.shutdown()
    await rm(scratch, { recursive: true, force: true })
  }
}

/** Checks a .tgz on disk; throws a 422 problem listing every problem. */
export async function checkPackageFile(
  file: string,
  options: { extraEgress?: string[] } = {}
): Promise<CheckedPackage> {
  let manifest: Manifest
  let sha256: string
  try {
    const inspected = await inspectPackage(file, { hostApiVersion: HOST_API_VERSION })
    manifest = inspected.manifest
    sha256 = inspected.sha256!
  } catch (error) {
    if (error instanceof PackageRejectedError) throw invalidPackage(error.problems)
    throw error
  }
  if (!sha256) throw invalidPackage(['a plugin package must be a .tgz file, not a folder'])
  await smokeStart(file, options.extraEgress ?? [])
  return { manifest, sha256, tarball: await readFile(file) }
}
