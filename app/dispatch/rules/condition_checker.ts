import type { RulePhase } from '#dispatch/types'
import type { Shape } from '#dispatch/rules/shape'
import {
  describeShape,
  isArrayShape,
  isNumericShape,
  isScalarShape,
  scalarFitsShape,
  scalarShapesOverlap,
  shapeTypes,
} from '#dispatch/rules/shape'
import type { OperatorSpec } from '#dispatch/rules/operator_catalog'
import {
  OPERATOR_SPECS,
  findOperatorSpec,
  operatorFitsShape,
} from '#dispatch/rules/operator_catalog'
import {
  CATEGORY_SETS,
  ORDER_CATEGORIES,
  factsForPhase,
  findFact,
} from '#dispatch/rules/fact_catalog'
import { parsePath, resolveShape } from '#dispatch/rules/json_path'
import { parseTimeWindow } from '#dispatch/rules/time_window'
import { pointerTo } from '#dispatch/rules/json_pointer'
import { didYouMean } from '#dispatch/rules/suggestions'

/*
 * Semantic checks of one `{ fact, path?, operator, value }` condition against the
 * catalog of its phase. Every error points at the offending member.
 */

type Report = (pointer: string, rule: string, message: string) => void

interface TypedOperand {
  label: string
  shape: Shape
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/** Resolves `fact` + `path` to a shape, reporting unknown facts and paths. */
function resolveOperand(
  phase: RulePhase,
  factName: unknown,
  path: unknown,
  pointer: string,
  report: Report
): TypedOperand | null {
  if (typeof factName !== 'string') return null
  const fact = findFact(factName)
  const phaseFacts = factsForPhase(phase).map((definition) => definition.name)
  if (!fact) {
    const hint = didYouMean(factName, phaseFacts)
    report(
      pointerTo(pointer, 'fact'),
      'unknown-fact',
      `fact "${factName}" does not exist${hint || `; ${phase} rules can use: ${phaseFacts.join(', ')}`}`
    )
    return null
  }
  if (!fact.phases.includes(phase)) {
    report(
      pointerTo(pointer, 'fact'),
      'fact-phase',
      `fact "${factName}" is only available in ${fact.phases.join(' and ')} rules; ${phase} rules can use: ${phaseFacts.join(', ')}`
    )
    return null
  }
  if (path === undefined) return { label: factName, shape: fact.shape }
  if (typeof path !== 'string') return null

  const segments = parsePath(path)
  if (!segments) {
    report(
      pointerTo(pointer, 'path'),
      'unsupported-path',
      `path "${path}" is not supported; use property and index steps only, like "$.recipient.city" or "$.tags[0]"`
    )
    return null
  }
  const resolution = resolveShape(fact.shape, segments)
  if (!resolution.ok) {
    let detail: string
    if (resolution.reason === 'no-property') {
      const hint = didYouMean(resolution.failedAt, resolution.available)
      detail = `"${resolution.failedAt}" is not a property there${hint || `; properties: ${resolution.available.join(', ')}`}`
    } else if (resolution.reason === 'not-array') {
      detail = `${resolution.failedAt} indexes something that is not a list`
    } else {
      detail = `"${resolution.failedAt}" is read from something that is not an object`
    }
    report(
      pointerTo(pointer, 'path'),
      'unknown-path',
      `path "${path}" does not resolve on fact "${factName}": ${detail}`
    )
    return null
  }
  return { label: `${factName} ${path}`, shape: resolution.shape }
}

function describeOperand(operand: TypedOperand) {
  return `${operand.label} is ${describeShape(operand.shape)}`
}

function literalMismatch(value: unknown, shape: Shape): string {
  if (typeof value === 'string' && shape.enum && shapeTypes(shape).includes('string')) {
    const hint = didYouMean(value, shape.enum)
    return `"${value}" is not one of: ${shape.enum.join(', ')}${hint}`
  }
  return `${JSON.stringify(value)} is not a ${describeShape(shape)}`
}

function checkList(
  value: unknown,
  itemShape: Shape,
  pointer: string,
  operator: string,
  report: Report
) {
  if (!Array.isArray(value) || value.length === 0) {
    report(
      pointer,
      'value-type',
      `${operator} needs a non-empty list of ${describeShape(itemShape)}`
    )
    return
  }
  value.forEach((item, index) => {
    if (!scalarFitsShape(item, itemShape)) {
      report(pointerTo(pointer, index), 'value-type', literalMismatch(item, itemShape))
    }
  })
}

function checkLiteral(
  spec: OperatorSpec,
  operand: TypedOperand,
  value: unknown,
  pointer: string,
  report: Report
) {
  const { shape } = operand
  switch (spec.valueKind) {
    case 'same-scalar':
      if (!scalarFitsShape(value, shape))
        report(pointer, 'value-type', literalMismatch(value, shape))
      return
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        report(
          pointer,
          'value-type',
          `${spec.name} needs a number value; got ${JSON.stringify(value)}`
        )
      }
      return
    case 'list-of-fact-type':
      checkList(value, shape, pointer, spec.name, report)
      return
    case 'array-item':
      if (shape.items && !scalarFitsShape(value, shape.items)) {
        report(pointer, 'value-type', literalMismatch(value, shape.items))
      }
      return
    case 'list-of-array-items':
      checkList(value, shape.items ?? { type: 'string' }, pointer, spec.name, report)
      return
    case 'time-window':
      if (!parseTimeWindow(value)) {
        report(
          pointer,
          'value-type',
          `inTimeWindow needs "HH:MM-HH:MM" on a 24-hour clock with different start and end, like "11:00-13:30"; got ${JSON.stringify(value)}`
        )
      }
      return
    case 'distance-band': {
      const valid =
        Array.isArray(value) &&
        value.length === 2 &&
        value.every((bound) => typeof bound === 'number' && Number.isFinite(bound)) &&
        value[0] >= 0 &&
        value[0] < value[1]
      if (!valid) {
        report(
          pointer,
          'value-type',
          `inDistanceBand needs [min, max] in metres with 0 <= min < max; got ${JSON.stringify(value)}`
        )
      }
      return
    }
    case 'category-set':
      if (typeof value === 'string') {
        if (!Object.hasOwn(CATEGORY_SETS, value)) {
          const names = Object.keys(CATEGORY_SETS)
          const hint = didYouMean(value, names)
          report(
            pointer,
            'value-type',
            `category set "${value}" does not exist${hint || `; sets: ${names.join(', ')}`}`
          )
        }
        return
      }
      checkList(value, { type: 'string', enum: ORDER_CATEGORIES }, pointer, spec.name, report)
  }
}

function checkReference(
  phase: RulePhase,
  spec: OperatorSpec,
  operand: TypedOperand,
  reference: Record<string, unknown>,
  pointer: string,
  report: Report
) {
  if (!spec.acceptsFactReference) {
    report(pointer, 'value-type', `${spec.name} needs a literal value, not a fact reference`)
    return
  }
  for (const key of Object.keys(reference)) {
    if (key !== 'fact' && key !== 'path') {
      report(
        pointerTo(pointer, key),
        'value-type',
        `a fact reference only takes "fact" and "path"; "${key}" is not supported`
      )
    }
  }
  const target = resolveOperand(phase, reference.fact, reference.path, pointer, report)
  if (!target) return

  const { shape } = operand
  const itemShape = shape.items
  let fits: boolean
  let expected: string
  switch (spec.valueKind) {
    case 'same-scalar':
      fits = isScalarShape(target.shape) && scalarShapesOverlap(shape, target.shape)
      expected = describeShape(shape)
      break
    case 'number':
      fits = isNumericShape(target.shape)
      expected = 'a number'
      break
    case 'list-of-fact-type':
      fits =
        isArrayShape(target.shape) &&
        !!target.shape.items &&
        scalarShapesOverlap(shape, target.shape.items)
      expected = `a list of ${describeShape(shape)}`
      break
    case 'array-item':
      fits =
        !!itemShape && isScalarShape(target.shape) && scalarShapesOverlap(itemShape, target.shape)
      expected = itemShape ? describeShape(itemShape) : 'a list element'
      break
    default:
      fits =
        isArrayShape(target.shape) &&
        !!target.shape.items &&
        !!itemShape &&
        scalarShapesOverlap(itemShape, target.shape.items)
      expected = `a list of ${itemShape ? describeShape(itemShape) : 'elements'}`
  }
  if (!fits) {
    report(
      pointer,
      'value-type',
      `${spec.name} needs ${expected} here, but ${describeOperand(target)}`
    )
  }
}

export function checkFactCondition(
  phase: RulePhase,
  condition: Record<string, unknown>,
  pointer: string,
  report: Report
): void {
  const operand = resolveOperand(phase, condition.fact, condition.path, pointer, report)

  const operator = condition.operator
  if (typeof operator !== 'string') return
  const spec = findOperatorSpec(operator)
  if (!spec) {
    const names = OPERATOR_SPECS.map((candidate) => candidate.name)
    const message = operator.includes(':')
      ? `operator decorators such as "${operator}" are not supported; operators: ${names.join(', ')}`
      : `operator "${operator}" does not exist${didYouMean(operator, names) || `; operators: ${names.join(', ')}`}`
    report(pointerTo(pointer, 'operator'), 'unknown-operator', message)
    return
  }
  if (!operand) return

  if (!operatorFitsShape(spec, operand.shape)) {
    const pathHint =
      condition.path === undefined && shapeTypes(operand.shape).includes('object')
        ? `; add a path such as "$.${Object.keys(operand.shape.properties ?? {})[0] ?? 'field'}"`
        : ''
    const needs =
      spec.valueKind === 'category-set'
        ? 'the order category ($.category)'
        : spec.factTypes.join(' or ')
    report(
      pointerTo(pointer, 'operator'),
      'operator-type',
      `operator "${spec.name}" works on ${needs}, but ${describeOperand(operand)}${pathHint}`
    )
    return
  }

  if (!Object.hasOwn(condition, 'value')) return
  const valuePointer = pointerTo(pointer, 'value')
  const value = condition.value
  if (isRecord(value) && Object.hasOwn(value, 'fact')) {
    checkReference(phase, spec, operand, value, valuePointer, report)
  } else {
    checkLiteral(spec, operand, value, valuePointer, report)
  }
}
