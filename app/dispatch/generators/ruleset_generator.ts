import type {
  BooleanCondition,
  ConditionNode,
  DecisionFact,
  FactReference,
  LeafCondition,
  RuleDocument,
  RuleEvent,
  RulePhase,
  RulesetDocument,
} from '#dispatch/types'
import type { Shape } from '#dispatch/rules/shape'
import {
  isArrayShape,
  isNumericShape,
  isScalarShape,
  scalarShapesOverlap,
  shapeTypes,
} from '#dispatch/rules/shape'
import type { OperatorSpec } from '#dispatch/rules/operator_catalog'
import { OPERATOR_SPECS, operatorFitsShape } from '#dispatch/rules/operator_catalog'
import {
  CATEGORY_SETS,
  ORDER_CATEGORIES,
  STRATEGIES,
  factsForPhase,
} from '#dispatch/rules/fact_catalog'
import { compilePathReader } from '#dispatch/rules/json_path'
import { SeededRandom } from '#dispatch/generators/random'
import {
  SAMPLE_CARRIERS,
  generateDispatchCases,
} from '#dispatch/generators/dispatch_case_generator'

/*
 * Random but valid rulesets for the differential test: nested all/any/not
 * (including empty ones), paths into objects and arrays (also past the end of
 * arrays), every operator, fact-reference values, condition and rule priorities
 * with many ties, and every event type. Literal values are drawn from generated
 * facts so conditions are true often enough to matter.
 */

interface Operand {
  fact: string
  path?: string
  shape: Shape
}

const ARRAY_VOCABULARY: Record<string, string[]> = {
  tags: ['vip', 'fragile', 'urgent', 'gift', 'large', 'cold_chain'],
  capabilities: ['cold_chain', 'insulated_bag', 'large_item', 'fragile', 'medicine', 'high_value'],
  required_capabilities: [
    'cold_chain',
    'insulated_bag',
    'large_item',
    'fragile',
    'medicine',
    'high_value',
  ],
  fired_rules: ['order-0', 'order-1', 'order-2', 'order-3'],
}

function collectOperands(shape: Shape, fact: string, path: string, into: Operand[]) {
  if (path !== '$') into.push({ fact, path, shape })
  else if (shape['x-time-of-day']) into.push({ fact, shape })
  const types = shapeTypes(shape)
  if (types.includes('object') && shape.properties) {
    for (const [key, child] of Object.entries(shape.properties)) {
      collectOperands(child, fact, `${path}.${key}`, into)
    }
  }
  if (types.includes('array') && shape.items) {
    for (const index of [0, 1, 3])
      into.push({ fact, path: `${path}[${index}]`, shape: shape.items })
  }
}

function operandsForPhase(phase: RulePhase): Operand[] {
  const operands: Operand[] = []
  for (const fact of factsForPhase(phase)) collectOperands(fact.shape, fact.name, '$', operands)
  return operands.filter(
    (operand) => !shapeTypes(operand.shape).includes('object') || operand.shape['x-time-of-day']
  )
}

function sampleDecisionFact(random: SeededRandom): DecisionFact {
  return {
    strategy: random.pick(STRATEGIES),
    tip_fen: random.pick([0, 300, 500]),
    max_fee_fen: random.pick([null, 1500, 2500]),
    required_capabilities: random.subset(ARRAY_VOCABULARY.capabilities, 0.2),
    fired_rules: random.subset(ARRAY_VOCABULARY.fired_rules, 0.4),
  }
}

class ValuePool {
  #samples: Array<Record<string, unknown>>

  constructor(random: SeededRandom) {
    this.#samples = generateDispatchCases(random.int(1, 1e9), 24).flatMap(({ facts, quotes }) =>
      quotes.map((input) => ({ ...facts, ...input, decision: sampleDecisionFact(random) }))
    )
  }

  observed(operand: Operand): unknown[] {
    const read = compilePathReader(operand.path)
    return this.#samples
      .map((sample) => (read ? read(sample[operand.fact]) : sample[operand.fact]))
      .filter((value) => value !== undefined && (value === null || typeof value !== 'object'))
  }
}

export class RulesetGenerator {
  #random: SeededRandom
  #pool: ValuePool
  #operands: Record<RulePhase, Operand[]>

  constructor(seed: number) {
    this.#random = new SeededRandom(seed)
    this.#pool = new ValuePool(this.#random)
    this.#operands = { order: operandsForPhase('order'), candidate: operandsForPhase('candidate') }
  }

  generate(name = 'generated'): RulesetDocument {
    const random = this.#random
    return {
      name,
      orderRules: Array.from({ length: random.int(1, 9) }, (_, index) =>
        this.#rule('order', index)
      ),
      candidateRules: Array.from({ length: random.int(0, 7) }, (_, index) =>
        this.#rule('candidate', index)
      ),
    }
  }

  #rule(phase: RulePhase, index: number): RuleDocument {
    return {
      name: `${phase}-${index}`,
      priority: this.#random.int(1, 4),
      conditions: this.#booleanNode(phase, 0),
      event: this.#event(phase),
    }
  }

  #booleanNode(phase: RulePhase, depth: number): BooleanCondition {
    const random = this.#random
    const kind = random.weighted([
      ['all', 4],
      ['any', 4],
      ['not', 2],
    ] as const)
    const extras = random.chance(0.15) ? { priority: random.int(1, 3) } : {}
    if (kind === 'not') return { not: this.#node(phase, depth + 1), ...extras }
    const size = random.chance(0.06) ? 0 : random.int(1, 4)
    const children = Array.from({ length: size }, () => this.#node(phase, depth + 1))
    return kind === 'all' ? { all: children, ...extras } : { any: children, ...extras }
  }

  #node(phase: RulePhase, depth: number): ConditionNode {
    if (depth >= 3 || this.#random.chance(0.65)) return this.#leaf(phase)
    return this.#booleanNode(phase, depth)
  }

  #leaf(phase: RulePhase): LeafCondition {
    const random = this.#random
    for (;;) {
      const operand = random.pick(this.#operands[phase])
      const operators = OPERATOR_SPECS.filter((spec) => operatorFitsShape(spec, operand.shape))
      if (operators.length === 0) continue
      const spec = random.pick(operators)
      const value = this.#value(phase, spec, operand)
      if (value === undefined) continue
      return {
        fact: operand.fact,
        ...(operand.path ? { path: operand.path } : {}),
        operator: spec.name,
        value,
        ...(random.chance(0.1) ? { priority: random.int(1, 3) } : {}),
      }
    }
  }

  #reference(phase: RulePhase, fits: (shape: Shape) => boolean): FactReference | undefined {
    const targets = this.#operands[phase].filter((operand) => fits(operand.shape))
    if (targets.length === 0) return undefined
    const target = this.#random.pick(targets)
    return target.path ? { fact: target.fact, path: target.path } : { fact: target.fact }
  }

  #scalarFor(shape: Shape, operand: Operand): unknown {
    const random = this.#random
    if (shape.enum) return random.pick(shape.enum)
    if (shapeTypes(shape).includes('boolean')) return random.chance(0.5)
    if (shapeTypes(shape).includes('null') && random.chance(0.3)) return null
    const observed = this.#pool.observed(operand).filter((value) => value !== null)
    if (observed.length === 0) return undefined
    const value = random.pick(observed)
    if (typeof value === 'number' && random.chance(0.3)) {
      return shapeTypes(shape).includes('integer') ? value + random.int(-2, 2) : value
    }
    return value
  }

  #itemFor(operand: Operand): unknown {
    const key = operand.path?.split('.').at(-1) ?? ''
    const vocabulary = ARRAY_VOCABULARY[key]
    return vocabulary ? this.#random.pick(vocabulary) : undefined
  }

  #list<T>(make: () => T): T[] | undefined {
    const items: T[] = []
    for (let i = this.#random.int(1, 3); i > 0; i--) {
      const item = make()
      if (item === undefined) return undefined
      if (!items.includes(item)) items.push(item)
    }
    return items
  }

  #value(phase: RulePhase, spec: OperatorSpec, operand: Operand): unknown {
    const random = this.#random
    const { shape } = operand
    const useReference = spec.acceptsFactReference && random.chance(0.25)

    switch (spec.valueKind) {
      case 'same-scalar':
        if (useReference) {
          return this.#reference(
            phase,
            (target) => isScalarShape(target) && scalarShapesOverlap(shape, target)
          )
        }
        return this.#scalarFor(shape, operand)
      case 'number': {
        if (useReference) return this.#reference(phase, isNumericShape)
        const observed = this.#pool.observed(operand).filter((value) => typeof value === 'number')
        if (observed.length === 0) return undefined
        const value = random.pick(observed) as number
        return random.chance(0.5) ? value : Math.round((value + random.float(-3, 3, 1)) * 100) / 100
      }
      case 'list-of-fact-type':
        if (useReference) {
          return this.#reference(
            phase,
            (target) =>
              isArrayShape(target) && !!target.items && scalarShapesOverlap(shape, target.items)
          )
        }
        return this.#list(() => this.#scalarFor(shape, operand))
      case 'array-item':
        if (useReference) {
          return this.#reference(
            phase,
            (target) =>
              isScalarShape(target) && !!shape.items && scalarShapesOverlap(shape.items, target)
          )
        }
        return this.#itemFor(operand)
      case 'list-of-array-items':
        if (useReference) {
          return this.#reference(
            phase,
            (target) =>
              isArrayShape(target) &&
              !!target.items &&
              !!shape.items &&
              scalarShapesOverlap(shape.items, target.items)
          )
        }
        return this.#list(() => this.#itemFor(operand))
      case 'time-window': {
        const start = random.int(0, 47) * 30
        let end = random.int(0, 47) * 30
        if (end === start) end = (start + 90) % 1440
        const clock = (minutes: number) =>
          `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`
        return `${clock(start)}-${clock(end)}`
      }
      case 'distance-band': {
        const min = random.int(0, 12) * 1000
        return [min, min + random.int(1, 8) * 1000]
      }
      case 'category-set':
        return random.chance(0.5)
          ? random.pick(Object.keys(CATEGORY_SETS))
          : this.#list(() => random.pick(ORDER_CATEGORIES))
    }
  }

  #event(phase: RulePhase): RuleEvent {
    const random = this.#random
    if (phase === 'candidate') {
      return random.chance(0.3)
        ? {
            type: 'exclude',
            params: { reason: `excluded by generated rule ${random.int(1, 999)}` },
          }
        : { type: 'adjust-score', params: { delta: random.pick([-30, -12.5, -5, 2.5, 5, 10, 25]) } }
    }
    const type = random.weighted([
      ['set-strategy', 5],
      ['add-tip', 2],
      ['require-capability', 1],
      ['exclude-carrier', 1],
      ['prefer-carrier', 2],
      ['max-fee', 1],
      ['set-accept-timeout', 2],
    ] as const)
    switch (type) {
      case 'set-strategy': {
        const strategy = random.pick(STRATEGIES)
        if (strategy === 'weighted' && random.chance(0.7)) {
          const weight = () => random.pick([0, 0.1, 0.2, 0.3, 1, 2])
          return {
            type,
            params: {
              strategy,
              weights: {
                cost: weight() + 0.1,
                speed: weight(),
                rating: weight(),
                acceptance: weight(),
              },
            },
          }
        }
        return { type, params: { strategy } }
      }
      case 'add-tip':
        return { type, params: { amount_fen: random.pick([100, 200, 300, 500]) } }
      case 'require-capability':
        return { type, params: { capability: random.pick(ARRAY_VOCABULARY.capabilities) } }
      case 'exclude-carrier':
        return {
          type,
          params: { carrier: random.pick(SAMPLE_CARRIERS), reason: 'generated exclusion' },
        }
      case 'prefer-carrier':
        return {
          type,
          params: {
            carrier: random.pick(SAMPLE_CARRIERS),
            bonus: random.pick([-20, -5, 3, 7.5, 20]),
          },
        }
      case 'max-fee':
        return { type, params: { amount_fen: random.int(8, 40) * 100 } }
      case 'set-accept-timeout':
        return { type, params: { seconds: random.pick([30, 60, 90, 180, 300]) } }
    }
  }
}
