import type { HttpContext } from '@adonisjs/core/http'
import RulesetVersionTransformer from '#transformers/ruleset_version_transformer'
import { rulesetVersionListValidator } from '#validators/admin/ruleset'
import { findRuleset, findVersion, listVersions } from '#services/rulesets/ruleset_service'
import { merchantScope } from '#services/tenant_scope'

/** Published versions of a ruleset: immutable, newest first. */
export default class RulesetVersionsController {
  async index(ctx: HttpContext) {
    await ctx.bouncer.with('RulesetPolicy').authorize('view')
    const ruleset = await findRuleset(merchantScope(ctx.auth.getUserOrFail()), ctx.params.id)
    const page = await ctx.request.validateUsing(rulesetVersionListValidator, {
      data: ctx.request.qs(),
    })
    const { rows, nextCursor, limit } = await listVersions(ruleset, page)
    return ctx.serialize(
      RulesetVersionTransformer.paginate(
        rows,
        { next_cursor: nextCursor, limit },
        { activeVersionId: ruleset.activeVersionId }
      )
    )
  }

  async show(ctx: HttpContext) {
    await ctx.bouncer.with('RulesetPolicy').authorize('view')
    const ruleset = await findRuleset(merchantScope(ctx.auth.getUserOrFail()), ctx.params.id)
    const version = await findVersion(ruleset, Number(ctx.params.version))
    return ctx.serialize(
      RulesetVersionTransformer.transform(version, {
        activeVersionId: ruleset.activeVersionId,
        detail: true,
      })
    )
  }
}
