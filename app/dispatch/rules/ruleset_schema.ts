import { readFileSync } from 'node:fs'
import { Ajv, type ErrorObject } from 'ajv'
import type { RuleError } from '#dispatch/types'
import { pointerTo } from '#dispatch/rules/json_pointer'
import { didYouMean } from '#dispatch/rules/suggestions'

/*
 * Structural check of a ruleset document against rules/schema/ruleset.schema.json
 * (the published contract), with ajv errors rewritten into pointed messages.
 */

const SCHEMA_URL = new URL('../../../rules/schema/ruleset.schema.json', import.meta.url)

export const rulesetJsonSchema: Record<string, unknown> = JSON.parse(
  readFileSync(SCHEMA_URL, 'utf8')
)

const ajv = new Ajv({ allErrors: true, verbose: true })
const validateStructure = ajv.compile(rulesetJsonSchema)

function translate(error: ErrorObject): RuleError | null {
  const { instancePath, keyword, params } = error
  if (keyword === 'if') return null

  if (keyword === 'required') {
    const missing = String(params.missingProperty)
    if (missing === 'all' && error.schemaPath.includes('/else/else/else/')) {
      return {
        pointer: instancePath,
        rule: 'schema',
        message: 'conditions must contain exactly one of "all", "any" or "not"',
      }
    }
    return {
      pointer: pointerTo(instancePath, missing),
      rule: 'schema',
      message: `missing required property "${missing}"`,
    }
  }

  if (keyword === 'additionalProperties') {
    const extra = String(params.additionalProperty)
    const known = Object.keys((error.parentSchema?.properties as object | undefined) ?? {})
    const hint = didYouMean(extra, known)
    return {
      pointer: pointerTo(instancePath, extra),
      rule: 'schema',
      message: `unknown property "${extra}"${hint || `; allowed: ${known.join(', ')}`}`,
    }
  }

  if (instancePath.endsWith('/priority') && (keyword === 'type' || keyword === 'minimum')) {
    return {
      pointer: instancePath,
      rule: 'priority',
      message: `priority must be a positive integer (1, 2, 3, …); got ${JSON.stringify(error.data)}`,
    }
  }

  return { pointer: instancePath, rule: 'schema', message: error.message ?? keyword }
}

export function checkRulesetStructure(document: unknown): RuleError[] {
  if (validateStructure(document)) return []
  const seen = new Set<string>()
  const errors: RuleError[] = []
  for (const ajvError of validateStructure.errors ?? []) {
    const error = translate(ajvError)
    if (!error) continue
    const key = `${error.pointer}\u0000${error.message}`
    if (seen.has(key)) continue
    seen.add(key)
    errors.push(error)
  }
  return errors
}
