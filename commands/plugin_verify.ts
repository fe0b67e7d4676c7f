import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/**
 * What an admin (or CI) runs before installing a plugin: the package checks an
 * installer applies, a real start in a sandboxed worker, and, when the plugin's
 * fixtures are at hand, the whole conformance kit against the packaged entry.
 */
export default class PluginVerify extends BaseCommand {
  static commandName = 'plugin:verify'
  static description =
    'Check a carrier plugin package: limits, manifest, integrity, sandboxed start, conformance'
  static options: CommandOptions = { startApp: false }

  @args.string({ description: 'A .tgz package, or a plugin source folder (packed first)' })
  declare source: string

  @flags.string({
    description: 'Folder holding fixtures/ for the conformance kit (default: the source folder)',
  })
  declare fixtures?: string

  async run() {
    const { existsSync, statSync } = await import('node:fs')
    const { mkdtemp, rm } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const { join, resolve } = await import('node:path')
    const { pathToFileURL } = await import('node:url')
    const { pack } = await import('#sdk/packaging/pack')
    const { PackageRejectedError } = await import('#sdk/packaging/package_rejected_error')
    const { runConformance, formatConformanceReport } = await import('#sdk/conformance')
    const { HOST_API_VERSION } = await import('#carriers/host_api_version')
    const { installPackage } = await import('#carriers/package_installer')
    const { PluginHost } = await import('#carriers/plugin_host')

    const scratch = await mkdtemp(join(tmpdir(), 'plugin-verify-'))
    const host = new PluginHost({ startTimeoutMs: 10_000 })
    try {
      const source = resolve(this.source)
      const isFolder = statSync(source).isDirectory()
      let tarball = source
      if (isFolder) {
        const packed = await pack(source, { outDir: scratch, hostApiVersion: HOST_API_VERSION })
        tarball = packed.tarball
      }

      const installed = await installPackage(tarball, join(scratch, 'installed'))
      this.logger.success(`Package ${installed.id}@${installed.version} passed the package checks`)
      this.logger.log(`  sha256 ${installed.sha256}`)

      await host.load(installed.dir)
      this.logger.success('Started in a sandboxed worker and answered the handshake')

      const fixturesDir = resolve(this.fixtures ?? (isFolder ? source : ''))
      if (!this.fixtures && !isFolder) {
        this.logger.warning('No --fixtures folder given: conformance kit skipped')
        return
      }
      if (!existsSync(join(fixturesDir, 'fixtures'))) {
        this.logger.error(`No fixtures/ folder in ${fixturesDir}`)
        this.exitCode = 1
        return
      }
      const { default: plugin } = await import(
        pathToFileURL(join(installed.dir, installed.manifest.entry)).href
      )
      const report = await runConformance({
        dir: fixturesDir,
        plugin,
        hostApiVersion: HOST_API_VERSION,
      })
      this.logger.log(formatConformanceReport(report))
      if (!report.ok) this.exitCode = 1
    } catch (error) {
      if (!(error instanceof PackageRejectedError) && !(error instanceof Error && 'code' in error))
        throw error
      this.logger.error((error as Error).message)
      this.exitCode = 1
    } finally {
      await host.shutdown()
      await rm(scratch, { recursive: true, force: true })
    }
  }
}
