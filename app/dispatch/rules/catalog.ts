import type { RulePhase } from '#dispatch/types'
import type { Shape } from '#dispatch/rules/shape'
import type { FactTypeTag, OperatorValueKind } from '#dispatch/rules/operator_catalog'
import { OPERATOR_SPECS } from '#dispatch/rules/operator_catalog'
import {
  CATEGORY_SETS,
  FACT_DEFINITIONS,
  KNOWN_CAPABILITIES,
  STRATEGIES,
} from '#dispatch/rules/fact_catalog'
import { EVENT_TYPES } from '#dispatch/rules/event_catalog'
import {
  DEFAULT_ACCEPT_TIMEOUT_S,
  DEFAULT_STRATEGY,
  DEFAULT_WEIGHTS,
} from '#dispatch/decision/order_outcome'
import { rulesetJsonSchema } from '#dispatch/rules/ruleset_schema'

/*
 * Everything a rule builder needs to offer valid choices, in one JSON-ready
 * object: facts with their shapes, operators with the types they fit, event
 * types with their params schemas, strategies and named category sets.
 */

export interface RuleCatalog {
  phases: Array<{
    name: RulePhase
    documentKey: 'orderRules' | 'candidateRules'
    description: string
  }>
  facts: Array<{
    name: string
    phases: RulePhase[]
    type: 'object'
    shape: Shape
    description: string
    example: unknown
  }>
  operators: Array<{
    name: string
    kind: 'builtin' | 'custom'
    valueTypes: FactTypeTag[]
    valueKind: OperatorValueKind
    acceptsFactReference: boolean
    description: string
    example: unknown
  }>
  eventTypes: Array<{
    name: string
    phase: RulePhase
    paramsSchema: Record<string, unknown>
    description: string
    example: unknown
  }>
  strategies: Array<{ name: string; description: string }>
  defaults: { strategy: string; acceptTimeoutS: number; weights: Record<string, number> }
  categorySets: Record<string, readonly string[]>
  knownCapabilities: readonly string[]
  documentSchema: Record<string, unknown>
}

const STRATEGY_DESCRIPTIONS: Record<(typeof STRATEGIES)[number], string> = {
  'cost-first': 'Cheapest fee wins: score = 100 × cheapest fee / fee. Ties: lower ETA.',
  'speed-first': 'Fastest pickup + dropoff wins: score = 100 × fastest ETA / ETA. Ties: lower fee.',
  'rating-first':
    'Best rider rating wins: score = 20 × rating. Ties: higher acceptance rate, then fee.',
  'weighted':
    'Weighted blend of the cost, speed and rating scores and 100 × acceptance rate, using the weights of the set-strategy event.',
}

export function ruleCatalog(): RuleCatalog {
  return {
    phases: [
      {
        name: 'order',
        documentKey: 'orderRules',
        description:
          'Run once per order: choose the strategy, tips, caps, required capabilities, carrier preferences.',
      },
      {
        name: 'candidate',
        documentKey: 'candidateRules',
        description: 'Run once per carrier quote: exclude the quote or adjust its score.',
      },
    ],
    facts: FACT_DEFINITIONS.map((fact) => ({
      name: fact.name,
      phases: [...fact.phases],
      type: 'object',
      shape: fact.shape,
      description: fact.description,
      example: fact.example,
    })),
    operators: OPERATOR_SPECS.map((spec) => ({
      name: spec.name,
      kind: spec.kind,
      valueTypes: spec.factTypes,
      valueKind: spec.valueKind,
      acceptsFactReference: spec.acceptsFactReference,
      description: spec.description,
      example: spec.example,
    })),
    eventTypes: EVENT_TYPES.map((definition) => ({
      name: definition.type,
      phase: definition.phase,
      paramsSchema: definition.paramsSchema,
      description: definition.description,
      example: definition.example,
    })),
    strategies: STRATEGIES.map((name) => ({ name, description: STRATEGY_DESCRIPTIONS[name] })),
    defaults: {
      strategy: DEFAULT_STRATEGY,
      acceptTimeoutS: DEFAULT_ACCEPT_TIMEOUT_S,
      weights: { ...DEFAULT_WEIGHTS },
    },
    categorySets: CATEGORY_SETS,
    knownCapabilities: KNOWN_CAPABILITIES,
    documentSchema: rulesetJsonSchema,
  }
}
