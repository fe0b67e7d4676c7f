import { Engine } from 'json-rules-engine'
import type { RuleProperties, RuleResult } from 'json-rules-engine'
import type { CandidateFacts, FiredEvent, OrderFacts, RuleDocument } from '#dispatch/types'
import type { CompiledRuleset } from '#dispatch/rules/compiler'
import { registerCustomOperators } from '#dispatch/rules/operators'

/*
 * The reference evaluator: stock json-rules-engine Engine#run. It defines the
 * semantics the compiled evaluator must reproduce and produces the condition
 * traces used to explain decisions.
 *
 * A NEW Engine per run: an Engine keeps its run status on the instance, so two
 * overlapping runs on a shared Engine make the first one to finish stop the
 * other (upstream issue #303).
 */

export interface ReferenceRun {
  /** fired events, highest priority first, document order within a priority */
  events: FiredEvent[]
  /** every rule's result (fired or not) in the same order, with condition results */
  results: RuleResult[]
}

interface PhaseRules {
  rules: RuleProperties[]
  order: Map<string, number>
}

interface EngineRules {
  order: PhaseRules
  candidate: PhaseRules
}

/*
 * json-rules-engine writes to the condition objects it is given (it re-parses
 * `priority`), so it gets its own unfrozen copy of the rules, made once per
 * compiled ruleset and shared by every run.
 */
const engineRulesByRuleset = new WeakMap<CompiledRuleset, EngineRules>()

function phaseRules(rules: readonly RuleDocument[]): PhaseRules {
  return {
    rules: structuredClone(rules) as unknown as RuleProperties[],
    order: new Map(rules.map((rule, index) => [rule.name, index])),
  }
}

function engineRulesFor(ruleset: CompiledRuleset): EngineRules {
  let engineRules = engineRulesByRuleset.get(ruleset)
  if (!engineRules) {
    engineRules = {
      order: phaseRules(ruleset.document.orderRules),
      candidate: phaseRules(ruleset.document.candidateRules),
    }
    engineRulesByRuleset.set(ruleset, engineRules)
  }
  return engineRules
}

async function runPhase(phase: PhaseRules, facts: object): Promise<ReferenceRun> {
  const engine = new Engine([], { allowUndefinedFacts: false })
  registerCustomOperators(engine)
  for (const rule of phase.rules) engine.addRule(rule)

  const { results, failureResults } = await engine.run(facts as Record<string, unknown>)
  const fired = new Set(results)
  const rank = (result: RuleResult) => phase.order.get(result.name) ?? Number.MAX_SAFE_INTEGER
  const all = [...results, ...failureResults].sort(
    (left, right) => (right.priority ?? 1) - (left.priority ?? 1) || rank(left) - rank(right)
  )
  const events = all
    .filter((result) => fired.has(result))
    .map((result) => ({
      rule: result.name,
      type: result.event?.type ?? 'unknown',
      params: (result.event?.params ?? {}) as Record<string, unknown>,
    }))
  return { events, results: all }
}

export function runReferenceOrderRules(
  ruleset: CompiledRuleset,
  facts: OrderFacts
): Promise<ReferenceRun> {
  return runPhase(engineRulesFor(ruleset).order, facts)
}

export function runReferenceCandidateRules(
  ruleset: CompiledRuleset,
  facts: CandidateFacts
): Promise<ReferenceRun> {
  return runPhase(engineRulesFor(ruleset).candidate, facts)
}
