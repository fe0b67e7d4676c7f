import type Ruleset from '#models/ruleset'
import type RulesetVersion from '#models/ruleset_version'
import { BaseTransformer } from '@adonisjs/core/transformers'
import { rulesetVersionKey } from '#dispatch/rules/version_key'
import { validateRuleset } from '#dispatch/rules/validator'

export interface RulesetTransformerOptions {
  /** active versions by id (from versionsById), so a list page costs one query */
  activeVersions: Map<number, RulesetVersion>
  /** one ruleset: include the draft document and its validation */
  detail?: boolean
}

/**
 * A ruleset with its active version and the state of its draft. Lists leave the
 * draft document out (it can be hundreds of KB); one ruleset includes it with
 * its validation, so the console's editor opens with the errors already marked.
 */
export default class RulesetTransformer extends BaseTransformer<Ruleset> {
  constructor(
    resource: Ruleset,
    private options: RulesetTransformerOptions
  ) {
    super(resource)
  }

  toObject() {
    const r = this.resource
    const active =
      r.activeVersionId === null
        ? null
        : (this.options.activeVersions.get(r.activeVersionId) ?? null)
    const draft = r.draft
    const draftHash = rulesetVersionKey(draft)
    const validation = this.options.detail ? validateRuleset(draft) : null
    return {
      id: r.id,
      scope: r.isGlobal ? 'global' : 'merchant',
      scope_key: r.scopeKey,
      merchant_id: r.merchantId,
      name: r.name,
      active_version: active
        ? {
            id: active.id,
            version: active.version,
            content_hash: active.contentHash,
            published_at: active.publishedAt.toISO(),
            published_by: active.publishedByLabel,
          }
        : null,
      draft: {
        content_hash: draftHash,
        differs_from_active: active ? active.contentHash !== draftHash : true,
        updated_at: r.draftUpdatedAt?.toISO() ?? null,
        updated_by: r.draftUpdatedBy,
        ...(validation
          ? {
              valid: validation.valid,
              errors: validation.errors,
              document: draft,
            }
          : {}),
      },
      created_at: r.createdAt.toISO(),
      updated_at: r.updatedAt.toISO(),
    }
  }
}
