import type { RuleResult } from 'json-rules-engine'

/*
 * Turns json-rules-engine's evaluated condition tree (RuleResult.conditions, with
 * result / factResult / valueResult written on each node) into a plain trace for
 * people: what each condition read, what it compared with, and whether it
 * passed. Conditions the engine skipped because their group was already decided
 * have `result: null`.
 */

export type ConditionTrace =
  | { kind: 'all' | 'any'; result: boolean | null; children: ConditionTrace[] }
  | { kind: 'not'; result: boolean | null; child: ConditionTrace }
  | {
      kind: 'fact'
      fact: string
      path?: string
      operator: string
      value: unknown
      factValue: unknown
      comparedWith: unknown
      result: boolean | null
      text: string
    }

export interface RuleTrace {
  rule: string
  priority: number
  fired: boolean
  event: { type: string; params: Record<string, unknown> }
  conditions: ConditionTrace
}

type EvaluatedNode = Record<string, unknown>

const MAX_VALUE_TEXT = 80

export function formatValue(value: unknown): string {
  if (value === undefined) return 'undefined'
  const text = JSON.stringify(value) ?? String(value)
  return text.length > MAX_VALUE_TEXT ? `${text.slice(0, MAX_VALUE_TEXT - 1)}…` : text
}

const outcomeOf = (node: EvaluatedNode): boolean | null =>
  typeof node.result === 'boolean' ? node.result : null

function traceNode(node: EvaluatedNode, inheritedResult: boolean | null): ConditionTrace {
  const result = outcomeOf(node) ?? inheritedResult
  for (const kind of ['any', 'all'] as const) {
    if (Object.hasOwn(node, kind)) {
      const children = node[kind] as EvaluatedNode[]
      return { kind, result, children: children.map((child) => traceNode(child, null)) }
    }
  }
  if (Object.hasOwn(node, 'not')) {
    return { kind: 'not', result, child: traceNode(node.not as EvaluatedNode, null) }
  }

  const fact = String(node.fact)
  const path = typeof node.path === 'string' ? node.path : undefined
  const operator = String(node.operator)
  const verdict = result === null ? 'not evaluated' : result ? 'passed' : 'failed'
  const evaluated = result !== null
  const subject = `${fact}${path ? ` ${path}` : ''}`
  const text = evaluated
    ? `${subject} = ${formatValue(node.factResult)} ${operator} ${formatValue(node.valueResult)}: ${verdict}`
    : `${subject} ${operator} ${formatValue(node.value)}: ${verdict}`
  return {
    kind: 'fact',
    fact,
    ...(path ? { path } : {}),
    operator,
    value: node.value,
    factValue: node.factResult,
    comparedWith: node.valueResult,
    result,
    text,
  }
}

export function traceRule(ruleResult: RuleResult): RuleTrace {
  const fired = ruleResult.result === true
  return {
    rule: ruleResult.name,
    priority: ruleResult.priority ?? 1,
    fired,
    event: {
      type: ruleResult.event?.type ?? 'unknown',
      params: (ruleResult.event?.params ?? {}) as Record<string, unknown>,
    },
    // the engine does not record a result on the root node: it is the rule's result
    conditions: traceNode(ruleResult.conditions as unknown as EvaluatedNode, fired),
  }
}
