import type { Engine } from 'json-rules-engine'
import { CATEGORY_SETS } from '#dispatch/rules/fact_catalog'
import type { TimeWindow } from '#dispatch/rules/time_window'
import { isInTimeWindow, parseTimeWindow, toMinuteOfDay } from '#dispatch/rules/time_window'

/*
 * Runtime behaviour of every operator a rule may use.
 *
 * The built-in ones mirror json-rules-engine 7 line for line (see
 * engine-default-operators.js): `in` calls `value.indexOf(fact)` (a string value
 * means substring search, anything else throws), `contains` is false for
 * non-arrays, and the number comparisons first check that
 * `parseFloat(fact).toString() !== 'NaN'`. The compiled evaluator uses these
 * functions; the reference engine uses its own copies, and the differential test
 * keeps the two in step.
 *
 * The custom ones are registered on every json-rules-engine Engine as well, so
 * both evaluators run the very same functions for them. They never throw.
 */

export type OperatorTest = (factValue: unknown, value: unknown) => boolean

export type FactsPredicate = (facts: Record<string, unknown>) => boolean
export type ValueReader = (facts: Record<string, unknown>) => unknown

export interface RuntimeOperator {
  name: string
  /** turns the rule's JSON value into what `test` expects; done once per literal */
  prepare?: (value: unknown) => unknown
  test: OperatorTest
  /**
   * The same test fused with the fact read, for a literal value known at compile
   * time: saves the compiled evaluator one indirect call per condition. Must
   * return exactly what `test(read(facts), value)` returns.
   */
  fuse?: (read: ValueReader, value: unknown) => FactsPredicate
  /** whether `test` can throw on some inputs (the engine then rejects the run) */
  mayThrow: boolean
  custom: boolean
}

interface IndexOfAble {
  indexOf(searchElement: unknown): number
}

/*
 * json-rules-engine's number guard is `parseFloat(x).toString() !== 'NaN'`. For
 * a number that is exactly `!isNaN(x)`; the string round trip is kept for every
 * other type, where it decides things like '5abc' (accepted) and [5] (accepted).
 */
const looksNumeric = (factValue: unknown) =>
  typeof factValue === 'number'
    ? !Number.isNaN(factValue)
    : Number.parseFloat(factValue as string).toString() !== 'NaN'

const builtin = (
  name: string,
  test: OperatorTest,
  fuse: RuntimeOperator['fuse'],
  mayThrow = false
): RuntimeOperator => ({ name, test, fuse, mayThrow, custom: false })

const BUILTIN_OPERATORS: RuntimeOperator[] = [
  builtin(
    'equal',
    (a, b) => a === b,
    (read, b) => (facts) => read(facts) === b
  ),
  builtin(
    'notEqual',
    (a, b) => a !== b,
    (read, b) => (facts) => read(facts) !== b
  ),
  builtin(
    'in',
    (a, b) => (b as IndexOfAble).indexOf(a) > -1,
    (read, b) => (facts) => (b as IndexOfAble).indexOf(read(facts)) > -1,
    true
  ),
  builtin(
    'notIn',
    (a, b) => (b as IndexOfAble).indexOf(a) === -1,
    (read, b) => (facts) => (b as IndexOfAble).indexOf(read(facts)) === -1,
    true
  ),
  builtin(
    'contains',
    (a, b) => Array.isArray(a) && a.indexOf(b) > -1,
    (read, b) => (facts) => {
      const a = read(facts)
      return Array.isArray(a) && a.indexOf(b) > -1
    }
  ),
  builtin(
    'doesNotContain',
    (a, b) => Array.isArray(a) && a.indexOf(b) === -1,
    (read, b) => (facts) => {
      const a = read(facts)
      return Array.isArray(a) && a.indexOf(b) === -1
    }
  ),
  builtin(
    'lessThan',
    (a, b) => looksNumeric(a) && (a as number) < (b as number),
    (read, b) => (facts) => {
      const a = read(facts)
      return looksNumeric(a) && (a as number) < (b as number)
    }
  ),
  builtin(
    'lessThanInclusive',
    (a, b) => looksNumeric(a) && (a as number) <= (b as number),
    (read, b) => (facts) => {
      const a = read(facts)
      return looksNumeric(a) && (a as number) <= (b as number)
    }
  ),
  builtin(
    'greaterThan',
    (a, b) => looksNumeric(a) && (a as number) > (b as number),
    (read, b) => (facts) => {
      const a = read(facts)
      return looksNumeric(a) && (a as number) > (b as number)
    }
  ),
  builtin(
    'greaterThanInclusive',
    (a, b) => looksNumeric(a) && (a as number) >= (b as number),
    (read, b) => (facts) => {
      const a = read(facts)
      return looksNumeric(a) && (a as number) >= (b as number)
    }
  ),
]

interface DistanceBand {
  min: number
  max: number
}

function prepareDistanceBand(value: unknown): DistanceBand | null {
  if (!Array.isArray(value) || value.length !== 2) return null
  const [min, max] = value
  if (typeof min !== 'number' || typeof max !== 'number') return null
  return { min, max }
}

function prepareCategorySet(value: unknown): Set<string> | null {
  if (typeof value === 'string') {
    const named = CATEGORY_SETS[value]
    return named ? new Set(named) : null
  }
  if (Array.isArray(value)) return new Set(value.filter((item) => typeof item === 'string'))
  return null
}

const prepareList = (value: unknown): unknown[] | null => (Array.isArray(value) ? value : null)

const CUSTOM_OPERATORS: RuntimeOperator[] = [
  {
    name: 'inTimeWindow',
    custom: true,
    mayThrow: false,
    prepare: parseTimeWindow,
    test(factValue, window) {
      const minute = toMinuteOfDay(factValue)
      return minute !== null && window !== null && isInTimeWindow(minute, window as TimeWindow)
    },
  },
  {
    name: 'inDistanceBand',
    custom: true,
    mayThrow: false,
    prepare: prepareDistanceBand,
    test(factValue, band) {
      if (typeof factValue !== 'number' || band === null) return false
      const { min, max } = band as DistanceBand
      return factValue >= min && factValue < max
    },
  },
  {
    name: 'inCategorySet',
    custom: true,
    mayThrow: false,
    prepare: prepareCategorySet,
    test: (factValue, set) =>
      typeof factValue === 'string' && set !== null && (set as Set<string>).has(factValue),
  },
  {
    name: 'containsAny',
    custom: true,
    mayThrow: false,
    prepare: prepareList,
    test: (factValue, wanted) =>
      Array.isArray(factValue) &&
      wanted !== null &&
      (wanted as unknown[]).some((item) => factValue.indexOf(item) > -1),
  },
  {
    name: 'containsAll',
    custom: true,
    mayThrow: false,
    prepare: prepareList,
    test: (factValue, wanted) =>
      Array.isArray(factValue) &&
      wanted !== null &&
      (wanted as unknown[]).every((item) => factValue.indexOf(item) > -1),
  },
]

const operatorsByName = new Map(
  [...BUILTIN_OPERATORS, ...CUSTOM_OPERATORS].map((operator) => [operator.name, operator])
)

export function findRuntimeOperator(name: string): RuntimeOperator | undefined {
  return operatorsByName.get(name)
}

/** A test that takes the raw JSON value, for the places that cannot prepare ahead. */
export function testWithRawValue(operator: RuntimeOperator, factValue: unknown, value: unknown) {
  return operator.test(factValue, operator.prepare ? operator.prepare(value) : value)
}

/** Gives a fresh Engine the hub's custom operators (built-ins are already there). */
export function registerCustomOperators(engine: Engine): void {
  for (const operator of CUSTOM_OPERATORS) {
    engine.addOperator(operator.name, (factValue: unknown, value: unknown) =>
      testWithRawValue(operator, factValue, value)
    )
  }
}
