import ProblemException, { type FieldError } from '#exceptions/problem'
import type { RuleError } from '#dispatch/types'

/*
 * Problem bodies of the ruleset API. Validator errors already are
 * { pointer, rule, message } with pointers into the ruleset document, which is
 * exactly a problem body's `errors[]`: they pass through unchanged.
 */

export function invalidRuleset(errors: RuleError[], what = 'The ruleset document') {
  return new ProblemException({
    status: 422,
    slug: 'invalid-ruleset',
    title: 'Invalid ruleset',
    detail: `${what} has ${errors.length} problem${errors.length === 1 ? '' : 's'}; each error points into the document`,
    errors: errors.map(({ pointer, rule, message }): FieldError => ({ pointer, rule, message })),
  })
}

export function invalidField(pointer: string, rule: string, message: string, detail?: string) {
  return ProblemException.invalid([{ pointer, rule, message }], detail)
}
