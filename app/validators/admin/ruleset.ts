import vine from '@vinejs/vine'
import { id, label, pageFields } from '#validators/admin/fields'

/*
 * Console validators of the ruleset lifecycle. The ruleset document itself is not
 * checked here: it is the rule validator's job (app/dispatch/rules/validator.ts),
 * whose errors point into the document rather than into the request.
 */

/** `draft`, `active` or a version number, as query values arrive (strings). */
export const VERSION_REF_PATTERN = /^(draft|active|[1-9][0-9]{0,8})$/

const versionRef = () => vine.string().trim().regex(VERSION_REF_PATTERN)

export const rulesetListValidator = vine.compile(
  vine.object({
    scope: vine.enum(['global', 'merchant'] as const).optional(),
    merchant_id: id().optional(),
    ...pageFields(),
  })
)

export const rulesetVersionListValidator = vine.compile(vine.object({ ...pageFields() }))

export const createRulesetValidator = vine.compile(
  vine.object({
    merchant_id: id().exists({ table: 'merchants', column: 'id' }),
    name: label(120),
    /** optional starting draft; without it the draft is a copy of the active global rules */
    document: vine.any().optional(),
  })
)

export const publishRulesetValidator = vine.compile(
  vine.object({ note: vine.string().trim().maxLength(500).optional() })
)

export const rollbackRulesetValidator = vine.compile(
  vine.object({
    version: vine.number().withoutDecimals().positive(),
    note: vine.string().trim().maxLength(500).optional(),
  })
)

export const rulesetDiffValidator = vine.compile(
  vine.object({ from: versionRef().optional(), to: versionRef().optional() })
)

/** '3' → 3; 'draft' and 'active' stay words. */
export function toVersionRef(value: string): number | 'draft' | 'active' {
  return value === 'draft' || value === 'active' ? value : Number(value)
}
