import { rm } from 'node:fs/promises'
import type { HttpContext } from '@adonisjs/core/http'
import { DEFAULT_PACKAGE_LIMITS } from '#sdk/packaging/limits'
import { PluginNode } from '#carriers/registry/plugin_node'
import PluginTransformer from '#transformers/plugin_transformer'
import { pluginListValidator, rollbackPluginValidator } from '#validators/admin/plugin'
import { checkPackageFile } from '#services/plugins/package_checks'
import {
  installCheckedPackage,
  rollbackPlugin,
  setPluginEnabled,
  uninstallPlugin,
  type ChangeResult,
} from '#services/plugins/plugin_registry_service'
import { activeManifest, findPlugin, listPlugins } from '#services/plugins/plugin_query_service'
import { localizedConfigSchema, pickLanguage } from '#services/plugins/config_schema_service'
import { recordAudit } from '#services/audit_service'
import ProblemException from '#exceptions/problem'

/**
 * Carrier plugins (admins change, operators and integrators read). Every change
 * writes the desired state, is applied on this node before the response and
 * announced to the others; the response shows each node's state.
 */
export default class PluginsController {
  async index(ctx: HttpContext) {
    await ctx.bouncer.with('PluginPolicy').authorize('view')
    const filters = await ctx.request.validateUsing(pluginListValidator, {
      data: ctx.request.qs(),
    })
    return ctx.serialize(PluginTransformer.transform(await listPlugins(filters)))
  }

  async show(ctx: HttpContext) {
    await ctx.bouncer.with('PluginPolicy').authorize('view')
    return ctx.serialize(PluginTransformer.transform(await findPlugin(ctx.params.id)))
  }

  /** The account form, in the language the console asks for (zh-CN unless en is preferred). */
  async configSchema(ctx: HttpContext) {
    await ctx.bouncer.with('PluginPolicy').authorize('view')
    const { manifest } = await activeManifest(ctx.params.id)
    const language = pickLanguage(ctx.request.header('accept-language'))
    ctx.response.header('content-language', language)
    ctx.response.header('vary', 'Accept-Language')
    return ctx.serialize(localizedConfigSchema(manifest, language))
  }

  /** Multipart upload (field `package`): a new id installs, a newer version upgrades. */
  async store(ctx: HttpContext) {
    await ctx.bouncer.with('PluginPolicy').authorize('manage')
    const file = ctx.request.file('package', { size: DEFAULT_PACKAGE_LIMITS.maxPackageBytes })
    if (!file || !file.tmpPath) {
      throw ProblemException.invalid(
        [
          {
            pointer: '/package',
            rule: 'required',
            message: 'attach the .tgz as the "package" field',
          },
        ],
        'No package uploaded'
      )
    }
    try {
      if (!file.isValid) {
        throw ProblemException.invalid(
          file.errors.map((error) => ({
            pointer: '/package',
            rule: error.type === 'size' ? 'maxBytes' : error.type,
            message: error.message,
          })),
          'The uploaded package was refused'
        )
      }
      const node = await ctx.containerResolver.make(PluginNode)
      const checked = await checkPackageFile(file.tmpPath, { extraEgress: node.config.extraEgress })
      const result = await installCheckedPackage(checked, ctx.auth.getUserOrFail().id)
      await this.#audit(ctx, result, { sha256: checked.sha256 })
      ctx.response.status(result.change === 'install' ? 201 : 200)
      return ctx.serialize(PluginTransformer.transform(await findPlugin(result.plugin.pluginId)))
    } finally {
      await rm(file.tmpPath, { force: true })
    }
  }

  async disable(ctx: HttpContext) {
    await ctx.bouncer.with('PluginPolicy').authorize('manage')
    return this.#respond(ctx, await setPluginEnabled(ctx.params.id, false))
  }

  async enable(ctx: HttpContext) {
    await ctx.bouncer.with('PluginPolicy').authorize('manage')
    return this.#respond(ctx, await setPluginEnabled(ctx.params.id, true))
  }

  async rollback(ctx: HttpContext) {
    await ctx.bouncer.with('PluginPolicy').authorize('manage')
    const { version } = await ctx.request.validateUsing(rollbackPluginValidator, {
      data: ctx.request.body(),
    })
    return this.#respond(ctx, await rollbackPlugin(ctx.params.id, version))
  }

  /** Uninstall: unloaded everywhere, rows and packages kept. Repeating it is harmless. */
  async destroy(ctx: HttpContext) {
    await ctx.bouncer.with('PluginPolicy').authorize('manage')
    return this.#respond(ctx, await uninstallPlugin(ctx.params.id))
  }

  async #respond(ctx: HttpContext, result: ChangeResult) {
    await this.#audit(ctx, result)
    return ctx.serialize(PluginTransformer.transform(await findPlugin(result.plugin.pluginId)))
  }

  async #audit(ctx: HttpContext, result: ChangeResult, extra: Record<string, unknown> = {}) {
    if (!result.change) return
    await recordAudit(
      ctx,
      `plugin.${result.change}`,
      { type: 'plugin', id: result.plugin.pluginId },
      { ...result.changes, revision: result.plugin.revision, ...extra }
    )
  }
}
