import type { HttpContext } from '@adonisjs/core/http'
import type Ruleset from '#models/ruleset'
import RulesetTransformer from '#transformers/ruleset_transformer'
import RulesetVersionTransformer from '#transformers/ruleset_version_transformer'
import {
  createRulesetValidator,
  publishRulesetValidator,
  rollbackRulesetValidator,
  rulesetDiffValidator,
  rulesetListValidator,
  toVersionRef,
} from '#validators/admin/ruleset'
import { readDocumentBody, readDraftDocument } from '#validators/admin/ruleset_document'
import {
  actorOf,
  createOverride,
  diffVersions,
  draftValidation,
  findRuleset,
  listRulesets,
  publishDraft,
  rollbackTo,
  saveDraft,
  activeVersionOf,
  versionsById,
} from '#services/rulesets/ruleset_service'
import { invalidRuleset } from '#services/rulesets/ruleset_problems'
import { merchantScope } from '#services/tenant_scope'
import { recordAudit } from '#services/audit_service'
import { ruleCatalog } from '#dispatch/rules/catalog'
import { validateRuleset } from '#dispatch/rules/validator'
import { diffRulesets } from '#dispatch/rules/ruleset_diff'

const subjectOf = (ruleset: Ruleset) => ({
  type: 'ruleset',
  id: ruleset.id,
  merchantId: ruleset.merchantId,
})

/**
 * The ruleset lifecycle: list, read, create overrides, edit drafts, validate,
 * publish, roll back, diff. Checks run role (403) → tenant-scoped lookup (404) →
 * body (422), as everywhere in the console API.
 */
export default class RulesetsController {
  private async detail(ctx: HttpContext, ruleset: Ruleset) {
    const activeVersions = await versionsById([ruleset.activeVersionId])
    return ctx.serialize(RulesetTransformer.transform(ruleset, { activeVersions, detail: true }))
  }

  private async find(ctx: HttpContext) {
    return findRuleset(merchantScope(ctx.auth.getUserOrFail()), ctx.params.id)
  }

  async index(ctx: HttpContext) {
    await ctx.bouncer.with('RulesetPolicy').authorize('view')
    const filters = await ctx.request.validateUsing(rulesetListValidator, {
      data: ctx.request.qs(),
    })
    const { rows, nextCursor, limit } = await listRulesets(
      merchantScope(ctx.auth.getUserOrFail()),
      filters
    )
    const activeVersions = await versionsById(rows.map((row) => row.activeVersionId))
    return ctx.serialize(
      RulesetTransformer.paginate(rows, { next_cursor: nextCursor, limit }, { activeVersions })
    )
  }

  /** Everything the console's rule builder offers: facts, operators, events, strategies. */
  async catalog(ctx: HttpContext) {
    await ctx.bouncer.with('RulesetPolicy').authorize('view')
    return ctx.serialize(ruleCatalog())
  }

  async show(ctx: HttpContext) {
    await ctx.bouncer.with('RulesetPolicy').authorize('view')
    return this.detail(ctx, await this.find(ctx))
  }

  async store(ctx: HttpContext) {
    await ctx.bouncer.with('RulesetPolicy').authorize('create')
    const input = await ctx.request.validateUsing(createRulesetValidator, {
      data: ctx.request.body(),
    })
    const { ruleset, validation } = await createOverride(input, actorOf(ctx.auth.user))
    await recordAudit(ctx, 'ruleset.create', subjectOf(ruleset), {
      scope_key: ruleset.scopeKey,
      merchant_id: ruleset.merchantId,
      name: ruleset.name,
      draft_from: input.document === undefined ? 'global' : 'request',
      draft_valid: validation.valid,
    })
    ctx.response.status(201)
    return this.detail(ctx, ruleset)
  }

  /**
   * Saves any JSON object as the draft, valid or not (work in progress); the
   * answer's `draft.valid` / `draft.errors` say what publishing would refuse.
   */
  async updateDraft(ctx: HttpContext) {
    await ctx.bouncer.with('RulesetPolicy').authorize('editDraft')
    const ruleset = await this.find(ctx)
    const document = readDraftDocument(ctx.request)
    const saved = await saveDraft(ruleset, document, actorOf(ctx.auth.user))
    if (saved.hashBefore !== saved.hashAfter) {
      await recordAudit(ctx, 'ruleset.draft.update', subjectOf(ruleset), {
        draft_hash: { from: saved.hashBefore, to: saved.hashAfter },
        valid: saved.validation.valid,
        errors: saved.validation.errors.length,
      })
    }
    return this.detail(ctx, saved.ruleset)
  }

  /**
   * Validates the document in the body (JSON or text/plain), or the stored draft
   * when the body is empty. Invalid → 422 with errors pointing into the document.
   */
  async validate(ctx: HttpContext) {
    await ctx.bouncer.with('RulesetPolicy').authorize('validate')
    const ruleset = await this.find(ctx)
    const body = readDocumentBody(ctx.request)
    const validation =
      body.kind === 'empty'
        ? draftValidation(ruleset)
        : validateRuleset(body.kind === 'text' ? body.text : body.value)
    const source = body.kind === 'empty' ? 'draft' : 'body'
    if (!validation.valid) {
      throw invalidRuleset(validation.errors, source === 'draft' ? 'The draft' : 'The document')
    }
    const active = await activeVersionOf(ruleset)
    return ctx.serialize({
      valid: true,
      source,
      rules: {
        order: validation.document.orderRules.length,
        candidate: validation.document.candidateRules.length,
      },
      diff_from_active: active ? diffRulesets(active.document, validation.document) : null,
    })
  }

  async publish(ctx: HttpContext) {
    await ctx.bouncer.with('RulesetPolicy').authorize('publish')
    const ruleset = await this.find(ctx)
    const { note } = await ctx.request.validateUsing(publishRulesetValidator, {
      data: ctx.request.body(),
    })
    const published = await publishDraft(ruleset, note ?? null, actorOf(ctx.auth.user))
    await recordAudit(ctx, 'ruleset.publish', subjectOf(ruleset), {
      version: published.version.version,
      content_hash: published.version.contentHash,
      note: published.version.note,
      active_version: { from: published.previous?.version ?? null, to: published.version.version },
      diff: published.diff,
    })
    ctx.response.status(201)
    const activeVersions = new Map([[published.version.id, published.version]])
    return ctx.serialize({
      ruleset: RulesetTransformer.transform(published.ruleset, { activeVersions }),
      version: RulesetVersionTransformer.transform(published.version, {
        activeVersionId: published.version.id,
        detail: true,
      }),
      diff_from_previous: published.diff,
    })
  }

  async rollback(ctx: HttpContext) {
    await ctx.bouncer.with('RulesetPolicy').authorize('rollback')
    const ruleset = await this.find(ctx)
    const { version, note } = await ctx.request.validateUsing(rollbackRulesetValidator, {
      data: ctx.request.body(),
    })
    const rolled = await rollbackTo(ruleset, version)
    await recordAudit(ctx, 'ruleset.rollback', subjectOf(ruleset), {
      active_version: { from: rolled.previous?.version ?? null, to: rolled.version.version },
      note: note ?? null,
    })
    const activeVersions = new Map([[rolled.version.id, rolled.version]])
    return ctx.serialize({
      ruleset: RulesetTransformer.transform(rolled.ruleset, { activeVersions }),
      version: RulesetVersionTransformer.transform(rolled.version, {
        activeVersionId: rolled.version.id,
      }),
    })
  }

  /** `from` and `to`: version numbers, `active` (default from) or `draft` (default to). */
  async diff(ctx: HttpContext) {
    await ctx.bouncer.with('RulesetPolicy').authorize('view')
    const ruleset = await this.find(ctx)
    const query = await ctx.request.validateUsing(rulesetDiffValidator, { data: ctx.request.qs() })
    const { from, to, diff } = await diffVersions(
      ruleset,
      toVersionRef(query.from ?? 'active'),
      toVersionRef(query.to ?? 'draft')
    )
    return ctx.serialize({
      from: { version: from.ref, version_key: from.versionKey },
      to: { version: to.ref, version_key: to.versionKey },
      diff,
    })
  }
}
