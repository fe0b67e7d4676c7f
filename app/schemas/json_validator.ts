import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import type { FieldError } from '#exceptions/problem'

/*
 * One ajv instance for every published JSON contract. Defaults are applied (so
 * `channel` becomes "pos"), types are never coerced: "12" is not 12.
 */
const ajv = new Ajv({
  allErrors: true,
  useDefaults: true,
  coerceTypes: false,
  strict: true,
  allowUnionTypes: true,
})
addFormats.default(ajv)

export function compileSchema<T>(
  schema: object
): (data: unknown) => { ok: true; value: T } | { ok: false; errors: FieldError[] } {
  const validate: ValidateFunction = ajv.compile(schema)
  return (data: unknown) => {
    if (validate(data)) return { ok: true, value: data as T }
    return { ok: false, errors: toFieldErrors(validate.errors ?? []) }
  }
}

/** ajv errors → problem-body errors, each pointing at the offending field. */
export function toFieldErrors(errors: ErrorObject[], pointerPrefix = ''): FieldError[] {
  return errors.map((error) => {
    let pointer = error.instancePath
    let message = error.message ?? 'is invalid'
    if (error.keyword === 'required') {
      pointer = `${pointer}/${error.params.missingProperty}`
      message = 'is required'
    } else if (error.keyword === 'additionalProperties') {
      pointer = `${pointer}/${error.params.additionalProperty}`
      message = 'is not a known field'
    } else if (error.keyword === 'enum') {
      message = `must be one of: ${(error.params.allowedValues as unknown[]).join(', ')}`
    }
    return { pointer: `${pointerPrefix}${pointer}`, rule: error.keyword, message }
  })
}
