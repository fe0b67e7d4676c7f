import type RulesetVersion from '#models/ruleset_version'
import { BaseTransformer } from '@adonisjs/core/transformers'

export interface RulesetVersionTransformerOptions {
  activeVersionId: number | null
  /** one version: include its document */
  detail?: boolean
}

export default class RulesetVersionTransformer extends BaseTransformer<RulesetVersion> {
  constructor(
    resource: RulesetVersion,
    private options: RulesetVersionTransformerOptions
  ) {
    super(resource)
  }

  toObject() {
    const v = this.resource
    return {
      id: v.id,
      ruleset_id: v.rulesetId,
      version: v.version,
      content_hash: v.contentHash,
      active: v.id === this.options.activeVersionId,
      published_by: { id: v.publishedBy, label: v.publishedByLabel },
      published_at: v.publishedAt.toISO(),
      note: v.note,
      ...(this.options.detail ? { document: v.document } : {}),
    }
  }
}
