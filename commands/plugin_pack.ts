import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

export default class PluginPack extends BaseCommand {
  static commandName = 'plugin:pack'
  static description = 'Bundle a carrier plugin and write its installable .tgz (with sha256)'
  static options: CommandOptions = { startApp: false }

  @args.string({
    description: 'Plugin folder (manifest.json, src/index.ts or a built entry, README.md)',
  })
  declare dir: string

  @flags.string({ description: 'Where to write the tarball (default <dir>/build)' })
  declare outDir?: string

  @flags.boolean({ description: 'Pack the entry as it is, without bundling src/index.ts' })
  declare noBuild: boolean

  @flags.boolean({ description: 'Print the result as JSON' })
  declare json: boolean

  async run() {
    const { pack } = await import('#sdk/packaging/pack')
    const { PackageRejectedError } = await import('#sdk/packaging/package_rejected_error')
    const { HOST_API_VERSION } = await import('#carriers/host_api_version')
    try {
      const result = await pack(this.dir, {
        outDir: this.outDir,
        build: this.noBuild ? 'never' : 'auto',
        hostApiVersion: HOST_API_VERSION,
      })
      if (this.json) {
        this.logger.log(
          JSON.stringify({
            ...result,
            manifest: undefined,
            id: result.manifest.id,
            version: result.manifest.version,
          })
        )
        return
      }
      this.logger.success(`Packed ${result.manifest.id}@${result.manifest.version}`)
      this.logger.log(`  tarball  ${result.tarball} (${result.bytes} bytes)`)
      this.logger.log(`  sha256   ${result.sha256}`)
      for (const [file, digest] of Object.entries(result.files))
        this.logger.log(`  ${file}  ${digest}`)
    } catch (error) {
      if (!(error instanceof PackageRejectedError)) throw error
      this.logger.error(error.message)
      this.exitCode = 1
    }
  }
}
