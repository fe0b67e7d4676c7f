/*
 * A fact's shape is a small JSON Schema (draft-07 subset). The validator walks it
 * to resolve rule paths and type-check operators; the console renders it in the
 * rule builder; ajv can check sample facts against it.
 */

export type ShapeType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'null'

export interface Shape {
  'type': ShapeType | ShapeType[]
  'description'?: string
  'enum'?: readonly string[]
  'minimum'?: number
  'maximum'?: number
  'items'?: Shape
  'properties'?: Record<string, Shape>
  'required'?: string[]
  'additionalProperties'?: boolean
  /** unit of a number, for people reading the catalog: fen, m, s, minute-of-day, … */
  'x-unit'?: string
  /** set on shapes that the time-of-day operators understand */
  'x-time-of-day'?: boolean
}

export function shapeTypes(shape: Shape): ShapeType[] {
  return Array.isArray(shape.type) ? shape.type : [shape.type]
}

export function isNumericShape(shape: Shape): boolean {
  return shapeTypes(shape).some((type) => type === 'number' || type === 'integer')
}

export function isScalarShape(shape: Shape): boolean {
  return shapeTypes(shape).every((type) => type !== 'array' && type !== 'object')
}

export function isArrayShape(shape: Shape): boolean {
  return shapeTypes(shape).includes('array')
}

/** A readable type name for messages: "integer (fen)", "string[]", "object". */
export function describeShape(shape: Shape): string {
  const names = shapeTypes(shape).map((type) => {
    if (type === 'array' && shape.items) return `${describeShape(shape.items)}[]`
    return type
  })
  const unit = shape['x-unit'] ? ` (${shape['x-unit']})` : ''
  return `${names.join(' | ')}${unit}`
}

/** Does a JSON value fit a scalar shape (type and enum)? */
export function scalarFitsShape(value: unknown, shape: Shape): boolean {
  const types = shapeTypes(shape)
  if (value === null) return types.includes('null')
  if (typeof value === 'string') {
    return types.includes('string') && (!shape.enum || shape.enum.includes(value))
  }
  if (typeof value === 'boolean') return types.includes('boolean')
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return false
    if (types.includes('number')) return true
    return types.includes('integer') && Number.isInteger(value)
  }
  return false
}

/** Do two shapes share at least one scalar type (so `===` can ever be true)? */
export function scalarShapesOverlap(left: Shape, right: Shape): boolean {
  const normalize = (type: ShapeType) => (type === 'integer' ? 'number' : type)
  const rightTypes = new Set(shapeTypes(right).map(normalize))
  return shapeTypes(left).some((type) => rightTypes.has(normalize(type)))
}
