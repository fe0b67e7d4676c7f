import { readFileSync } from 'node:fs'
import type { RulesetDocument } from '#dispatch/types'
import { assertValidRuleset } from '#dispatch/rules/validator'

/*
 * The rulesets shipped in rules/: the defaults a fresh install publishes, and
 * examples admins can start from. They are data files, read from disk and
 * validated like any admin-authored document.
 */

const RULES_DIR = new URL('../../../rules/', import.meta.url)

export const SHIPPED_RULESET_FILES = {
  default: 'default.json',
  merchant_preference: 'examples/merchant_preference.json',
} as const

export type ShippedRulesetName = keyof typeof SHIPPED_RULESET_FILES

export function readShippedRulesetText(name: ShippedRulesetName): string {
  return readFileSync(new URL(SHIPPED_RULESET_FILES[name], RULES_DIR), 'utf8')
}

export function loadShippedRuleset(name: ShippedRulesetName = 'default'): RulesetDocument {
  return assertValidRuleset(readShippedRulesetText(name))
}
