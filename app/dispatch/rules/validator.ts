import type { RuleError, RulePhase, RulesetDocument } from '#dispatch/types'
import { checkRulesetStructure } from '#dispatch/rules/ruleset_schema'
import { checkFactCondition } from '#dispatch/rules/condition_checker'
import { checkEvent } from '#dispatch/rules/event_checker'
import { pointerTo } from '#dispatch/rules/json_pointer'

/*
 * validateRuleset: JSON text or a parsed value in, either a typed document or a
 * list of pointed errors out. The structural pass (JSON Schema) and the semantic
 * pass (catalog) both run, so an author sees every problem at once; the semantic
 * walker therefore tolerates malformed parts and leaves them to the schema.
 */

export type RulesetValidation =
  { valid: true; document: RulesetDocument; errors: [] } | { valid: false; errors: RuleError[] }

const PHASES: Array<{ key: 'orderRules' | 'candidateRules'; phase: RulePhase }> = [
  { key: 'orderRules', phase: 'order' },
  { key: 'candidateRules', phase: 'candidate' },
]

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

export class RulesetValidationError extends Error {
  constructor(public readonly errors: RuleError[]) {
    super(
      `Invalid ruleset: ${errors
        .slice(0, 3)
        .map((error) => `${error.pointer || '(document)'}: ${error.message}`)
        .join('; ')}${errors.length > 3 ? ` (+${errors.length - 3} more)` : ''}`
    )
    this.name = 'RulesetValidationError'
  }
}

function walkCondition(phase: RulePhase, node: unknown, pointer: string, report: Report) {
  if (!isRecord(node)) return
  for (const operator of ['all', 'any'] as const) {
    if (Object.hasOwn(node, operator)) {
      const children = node[operator]
      if (Array.isArray(children)) {
        children.forEach((child, index) =>
          walkCondition(phase, child, pointerTo(pointer, operator, index), report)
        )
      }
      return
    }
  }
  if (Object.hasOwn(node, 'not')) {
    walkCondition(phase, node.not, pointerTo(pointer, 'not'), report)
    return
  }
  if (Object.hasOwn(node, 'fact')) checkFactCondition(phase, node, pointer, report)
}

type Report = (pointer: string, rule: string, message: string) => void

function checkSemantics(document: unknown): RuleError[] {
  const errors: RuleError[] = []
  const report: Report = (pointer, rule, message) => errors.push({ pointer, rule, message })
  if (!isRecord(document)) return errors

  const seenNames = new Map<string, string>()
  for (const { key, phase } of PHASES) {
    const rules = document[key]
    if (!Array.isArray(rules)) continue
    rules.forEach((rule, index) => {
      if (!isRecord(rule)) return
      const pointer = pointerTo('', key, index)
      if (typeof rule.name === 'string') {
        const previous = seenNames.get(rule.name)
        if (previous !== undefined) {
          report(
            pointerTo(pointer, 'name'),
            'duplicate-rule-name',
            `rule name "${rule.name}" is already used at ${previous}; names identify rules in decision records`
          )
        } else {
          seenNames.set(rule.name, pointer)
        }
      }
      walkCondition(phase, rule.conditions, pointerTo(pointer, 'conditions'), report)
      if (isRecord(rule.event)) checkEvent(phase, rule.event, pointerTo(pointer, 'event'), report)
    })
  }
  return errors
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: RuleError } {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch (error) {
    return {
      ok: false,
      error: { pointer: '', rule: 'json', message: `not valid JSON: ${(error as Error).message}` },
    }
  }
}

export function validateRuleset(input: unknown): RulesetValidation {
  let document = input
  if (typeof input === 'string') {
    const parsed = parseJson(input)
    if (!parsed.ok) return { valid: false, errors: [parsed.error] }
    document = parsed.value
  }

  const structural = checkRulesetStructure(document)
  const reported = new Set(structural.map((error) => error.pointer))
  const semantic = checkSemantics(document).filter((error) => !reported.has(error.pointer))
  const errors = [...structural, ...semantic]
  if (errors.length > 0) return { valid: false, errors }
  return { valid: true, document: document as RulesetDocument, errors: [] }
}

/** Like validateRuleset but throws RulesetValidationError; for code paths that expect valid input. */
export function assertValidRuleset(input: unknown): RulesetDocument {
  const result = validateRuleset(input)
  if (!result.valid) throw new RulesetValidationError(result.errors)
  return result.document
}
