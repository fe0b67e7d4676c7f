/**
 * Checks a plugin method's answer against RESULT_SCHEMAS. Shared by the host (every
 * answer from a worker) and the conformance kit, so both judge the same contract.
 */
import { Ajv, type ValidateFunction } from 'ajv'
import type { CarrierMethodName } from '../manifest.js'
import { RESULT_SCHEMAS } from '../result_schemas.js'

const ajv = new Ajv({ allErrors: true, strict: false })

const validators = new Map<string, ValidateFunction>(
  Object.entries(RESULT_SCHEMAS).map(([method, schema]) => [method, ajv.compile(schema)])
)

/** Returns a list of readable problems; empty when the value is valid. */
export function resultProblems(method: CarrierMethodName | string, value: unknown): string[] {
  const validate = validators.get(method)
  if (!validate) return [`"${method}" is not a contract method`]
  if (validate(value)) return []
  return (validate.errors ?? []).map((error) => {
    const where = error.instancePath || '(result)'
    const extra =
      error.keyword === 'required'
        ? ''
        : error.keyword === 'enum'
          ? ` (${JSON.stringify((error.params as { allowedValues: unknown[] }).allowedValues)})`
          : ''
    return `${where} ${error.message}${extra}`
  })
}
