import type {
  BooleanCondition,
  CandidateFacts,
  ConditionNode,
  FiredEvent,
  LeafCondition,
  OrderFacts,
  RuleDocument,
  RulesetDocument,
} from '#dispatch/types'
import { findRuntimeOperator } from '#dispatch/rules/operators'
import { compileFactReader } from '#dispatch/rules/json_path'
import { assertValidRuleset } from '#dispatch/rules/validator'
import { rulesetVersionKey } from '#dispatch/rules/version_key'

/*
 * Compiles a validated ruleset into synchronous closures: no promises, no
 * almanac, no per-run allocation except the list of fired events.
 *
 * Semantics follow json-rules-engine's Engine#run exactly:
 * - rules run from the highest priority down; within a priority they are
 *   independent. The engine lists same-priority events in promise-settling order,
 *   which is an artefact; both evaluators report them in document order.
 * - all/any group their children by priority (highest first) and stop after a
 *   group that settles the result; an empty `all` and an empty `any` are both true.
 *   Inside a group the engine evaluates every child (Promise.all), which only
 *   matters when a child can throw, so such groups are evaluated in full here too.
 * - `not` negates its single child; a condition passes only on `=== true`.
 * - a `value` that is an object with a `fact` key is read from that fact (+ path).
 */

type FactsRecord = Record<string, unknown>
type Predicate = (facts: FactsRecord) => boolean

interface CompiledNode {
  test: Predicate
  priority: number
  mayThrow: boolean
}

interface CompiledRule {
  test: Predicate
  event: FiredEvent
}

export interface CompiledRuleset {
  readonly version: string
  /** the validated document, deep-frozen */
  readonly document: RulesetDocument
  evaluateOrder(facts: OrderFacts): FiredEvent[]
  evaluateCandidate(facts: CandidateFacts): FiredEvent[]
}

const isFactReference = (value: unknown): value is { fact: string; path?: string } =>
  value !== null && typeof value === 'object' && Object.hasOwn(value, 'fact')

function compileLeaf(condition: LeafCondition): CompiledNode {
  const operator = findRuntimeOperator(condition.operator)
  if (!operator) throw new Error(`Unknown operator "${condition.operator}"`)
  const readFact = compileFactReader(condition.fact, condition.path)
  const priority = condition.priority || 1
  const { test, prepare } = operator

  if (isFactReference(condition.value)) {
    const readValue = compileFactReader(condition.value.fact, condition.value.path)
    return {
      priority,
      mayThrow: operator.mayThrow,
      test: prepare
        ? (facts) => test(readFact(facts), prepare(readValue(facts)))
        : (facts) => test(readFact(facts), readValue(facts)),
    }
  }

  const value = prepare ? prepare(condition.value) : condition.value
  const literalIsSearchable = Array.isArray(value) || typeof value === 'string'
  return {
    priority,
    mayThrow: operator.mayThrow && !literalIsSearchable,
    test: operator.fuse ? operator.fuse(readFact, value) : (facts) => test(readFact(facts), value),
  }
}

/** Children grouped by priority, highest first, document order inside a group. */
function groupByPriority(children: CompiledNode[]): CompiledNode[][] {
  const groups = new Map<number, CompiledNode[]>()
  for (const child of children) {
    const group = groups.get(child.priority)
    if (group) group.push(child)
    else groups.set(child.priority, [child])
  }
  return [...groups.entries()].sort(([left], [right]) => right - left).map(([, group]) => group)
}

function everyInGroup(group: CompiledNode[]): Predicate {
  const tests = group.map((child) => child.test)
  if (tests.length === 1) return tests[0]
  if (group.some((child) => child.mayThrow)) {
    return (facts) => {
      let passed = true
      for (const test of tests) if (test(facts) !== true) passed = false
      return passed
    }
  }
  // straight-line forms for the common small groups spare a loop per evaluation
  if (tests.length === 2) {
    const [first, second] = tests
    return (facts) => first(facts) === true && second(facts) === true
  }
  if (tests.length === 3) {
    const [first, second, third] = tests
    return (facts) => first(facts) === true && second(facts) === true && third(facts) === true
  }
  return (facts) => {
    for (const test of tests) if (test(facts) !== true) return false
    return true
  }
}

function someInGroup(group: CompiledNode[]): Predicate {
  const tests = group.map((child) => child.test)
  if (tests.length === 1) return tests[0]
  if (group.some((child) => child.mayThrow)) {
    return (facts) => {
      let passed = false
      for (const test of tests) if (test(facts) === true) passed = true
      return passed
    }
  }
  if (tests.length === 2) {
    const [first, second] = tests
    return (facts) => first(facts) === true || second(facts) === true
  }
  if (tests.length === 3) {
    const [first, second, third] = tests
    return (facts) => first(facts) === true || second(facts) === true || third(facts) === true
  }
  return (facts) => {
    for (const test of tests) if (test(facts) === true) return true
    return false
  }
}

function compileAll(children: CompiledNode[]): Predicate {
  if (children.length === 0) return () => true
  if (children.length === 1) return children[0].test
  const groups = groupByPriority(children).map(everyInGroup)
  if (groups.length === 1) return groups[0]
  return (facts) => {
    for (const group of groups) if (group(facts) !== true) return false
    return true
  }
}

function compileAny(children: CompiledNode[]): Predicate {
  if (children.length === 0) return () => true
  if (children.length === 1) return children[0].test
  const groups = groupByPriority(children).map(someInGroup)
  if (groups.length === 1) return groups[0]
  return (facts) => {
    for (const group of groups) if (group(facts) === true) return true
    return false
  }
}

function compileNode(node: ConditionNode): CompiledNode {
  if (!('all' in node || 'any' in node || 'not' in node)) return compileLeaf(node as LeafCondition)
  const priority = node.priority || 1
  if ('any' in node) {
    const children = node.any.map(compileNode)
    return {
      priority,
      mayThrow: children.some((child) => child.mayThrow),
      test: compileAny(children),
    }
  }
  if ('all' in node) {
    const children = node.all.map(compileNode)
    return {
      priority,
      mayThrow: children.some((child) => child.mayThrow),
      test: compileAll(children),
    }
  }
  const child = compileNode(node.not)
  const test = child.test
  return { priority, mayThrow: child.mayThrow, test: (facts) => !test(facts) }
}

function compileRules(rules: readonly RuleDocument[]): (facts: FactsRecord) => FiredEvent[] {
  const ordered = rules
    .map((rule, index) => ({ rule, index }))
    .sort((left, right) => right.rule.priority - left.rule.priority || left.index - right.index)
    .map(({ rule }): CompiledRule => ({
      test: compileNode(rule.conditions as BooleanCondition).test,
      event: Object.freeze({
        rule: rule.name,
        type: rule.event.type,
        params: rule.event.params ?? {},
      }),
    }))

  return (facts) => {
    const fired: FiredEvent[] = []
    for (const rule of ordered) if (rule.test(facts) === true) fired.push(rule.event)
    return fired
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}

/**
 * Validates and compiles a ruleset. Throws RulesetValidationError when invalid.
 * `version` defaults to a content hash of the document.
 */
export function compileRuleset(input: unknown, version?: string): CompiledRuleset {
  const document = deepFreeze(structuredClone(assertValidRuleset(input)))
  const evaluateOrder = compileRules(document.orderRules)
  const evaluateCandidate = compileRules(document.candidateRules)
  return {
    version: version ?? rulesetVersionKey(document),
    document,
    evaluateOrder: (facts) => evaluateOrder(facts as unknown as FactsRecord),
    evaluateCandidate: (facts) => evaluateCandidate(facts as unknown as FactsRecord),
  }
}
