import type { Shape } from '#dispatch/rules/shape'
import { shapeTypes } from '#dispatch/rules/shape'
import { ORDER_CATEGORIES } from '#dispatch/rules/fact_catalog'

/*
 * What each operator means to a rule author: which fact types it fits, what its
 * value must look like, and an example. The validator enforces these; the
 * console shows them. Runtime behaviour lives in operators.ts.
 */

export type FactTypeTag = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'time-of-day'

export type OperatorValueKind =
  /** a scalar of the fact's own type (enum values are checked) */
  | 'same-scalar'
  | 'number'
  /** an array of scalars of the fact's type */
  | 'list-of-fact-type'
  /** one element of the fact's array type */
  | 'array-item'
  /** an array of elements of the fact's array type */
  | 'list-of-array-items'
  | 'time-window'
  | 'distance-band'
  | 'category-set'

export interface OperatorSpec {
  name: string
  kind: 'builtin' | 'custom'
  factTypes: FactTypeTag[]
  valueKind: OperatorValueKind
  /** may the value be `{ "fact": …, "path": … }` instead of a literal */
  acceptsFactReference: boolean
  description: string
  example: { fact: string; path?: string; operator: string; value: unknown }
}

const SCALARS: FactTypeTag[] = ['string', 'number', 'boolean', 'null']

export const OPERATOR_SPECS: readonly OperatorSpec[] = [
  {
    name: 'equal',
    kind: 'builtin',
    factTypes: SCALARS,
    valueKind: 'same-scalar',
    acceptsFactReference: true,
    description: 'Strictly equal (===). Arrays and objects never equal a literal: use contains.',
    example: { fact: 'weather', path: '$.condition', operator: 'equal', value: 'snow' },
  },
  {
    name: 'notEqual',
    kind: 'builtin',
    factTypes: SCALARS,
    valueKind: 'same-scalar',
    acceptsFactReference: true,
    description: 'Strictly not equal (!==). A missing path (undefined) is not equal to anything.',
    example: { fact: 'merchant', path: '$.tier', operator: 'notEqual', value: 'standard' },
  },
  {
    name: 'lessThan',
    kind: 'builtin',
    factTypes: ['number'],
    valueKind: 'number',
    acceptsFactReference: true,
    description: 'fact < value. False when the fact is missing or not a number.',
    example: { fact: 'carrier', path: '$.acceptance_rate', operator: 'lessThan', value: 0.7 },
  },
  {
    name: 'lessThanInclusive',
    kind: 'builtin',
    factTypes: ['number'],
    valueKind: 'number',
    acceptsFactReference: true,
    description: 'fact <= value. False when the fact is missing or not a number.',
    example: { fact: 'quote', path: '$.fee_fen', operator: 'lessThanInclusive', value: 1500 },
  },
  {
    name: 'greaterThan',
    kind: 'builtin',
    factTypes: ['number'],
    valueKind: 'number',
    acceptsFactReference: true,
    description: 'fact > value. False when the fact is missing or not a number.',
    example: { fact: 'order', path: '$.item_count', operator: 'greaterThan', value: 10 },
  },
  {
    name: 'greaterThanInclusive',
    kind: 'builtin',
    factTypes: ['number'],
    valueKind: 'number',
    acceptsFactReference: true,
    description: 'fact >= value. False when the fact is missing or not a number.',
    example: {
      fact: 'order',
      path: '$.declared_value_fen',
      operator: 'greaterThanInclusive',
      value: 50000,
    },
  },
  {
    name: 'in',
    kind: 'builtin',
    factTypes: SCALARS,
    valueKind: 'list-of-fact-type',
    acceptsFactReference: true,
    description: 'The fact is one of the listed values.',
    example: {
      fact: 'weather',
      path: '$.condition',
      operator: 'in',
      value: ['heavy_rain', 'snow'],
    },
  },
  {
    name: 'notIn',
    kind: 'builtin',
    factTypes: SCALARS,
    valueKind: 'list-of-fact-type',
    acceptsFactReference: true,
    description: 'The fact is none of the listed values.',
    example: { fact: 'quote', path: '$.vehicle', operator: 'notIn', value: ['car', 'van'] },
  },
  {
    name: 'contains',
    kind: 'builtin',
    factTypes: ['array'],
    valueKind: 'array-item',
    acceptsFactReference: true,
    description: 'The fact (a list) contains the value. False when the fact is not a list.',
    example: { fact: 'order', path: '$.tags', operator: 'contains', value: 'cold_chain' },
  },
  {
    name: 'doesNotContain',
    kind: 'builtin',
    factTypes: ['array'],
    valueKind: 'array-item',
    acceptsFactReference: true,
    description:
      'The fact (a list) does not contain the value. Also false when the fact is not a list.',
    example: {
      fact: 'quote',
      path: '$.capabilities',
      operator: 'doesNotContain',
      value: 'cold_chain',
    },
  },
  {
    name: 'inTimeWindow',
    kind: 'custom',
    factTypes: ['time-of-day'],
    valueKind: 'time-window',
    acceptsFactReference: false,
    description:
      'Local time inside "HH:MM-HH:MM" (end exclusive). A window ending before it starts wraps midnight.',
    example: { fact: 'time', operator: 'inTimeWindow', value: '22:00-06:00' },
  },
  {
    name: 'inDistanceBand',
    kind: 'custom',
    factTypes: ['number'],
    valueKind: 'distance-band',
    acceptsFactReference: false,
    description: 'min <= fact < max, in metres. Bands [0,3000] and [3000,8000] do not overlap.',
    example: {
      fact: 'order',
      path: '$.distance_m',
      operator: 'inDistanceBand',
      value: [3000, 8000],
    },
  },
  {
    name: 'inCategorySet',
    kind: 'custom',
    factTypes: ['string'],
    valueKind: 'category-set',
    acceptsFactReference: false,
    description:
      'The order category is in a list of categories or in a named set (perishable, fragile, regulated, high_care).',
    example: { fact: 'order', path: '$.category', operator: 'inCategorySet', value: 'fragile' },
  },
  {
    name: 'containsAny',
    kind: 'custom',
    factTypes: ['array'],
    valueKind: 'list-of-array-items',
    acceptsFactReference: true,
    description: 'The fact (a list) shares at least one element with the value list.',
    example: { fact: 'order', path: '$.tags', operator: 'containsAny', value: ['vip', 'urgent'] },
  },
  {
    name: 'containsAll',
    kind: 'custom',
    factTypes: ['array'],
    valueKind: 'list-of-array-items',
    acceptsFactReference: true,
    description: 'The fact (a list) contains every element of the value list.',
    example: {
      fact: 'quote',
      path: '$.capabilities',
      operator: 'containsAll',
      value: { fact: 'decision', path: '$.required_capabilities' },
    },
  },
]

const specsByName = new Map(OPERATOR_SPECS.map((spec) => [spec.name, spec]))

export function findOperatorSpec(name: string): OperatorSpec | undefined {
  return specsByName.get(name)
}

function typeTags(shape: Shape): Set<FactTypeTag | 'object'> {
  const tags = new Set<FactTypeTag | 'object'>()
  for (const type of shapeTypes(shape)) {
    if (type === 'integer' || type === 'number') tags.add('number')
    else tags.add(type)
  }
  if (shape['x-time-of-day']) tags.add('time-of-day')
  return tags
}

/** Can this operator be applied to a fact (or path) of this shape? */
export function operatorFitsShape(spec: OperatorSpec, shape: Shape): boolean {
  if (spec.valueKind === 'category-set') return shape.enum === ORDER_CATEGORIES
  const tags = typeTags(shape)
  return spec.factTypes.some((tag) => tags.has(tag))
}
