import type { FieldError } from '#exceptions/problem'

/**
 * The JSON body of every error response (RFC 9457 "problem details").
 */
export interface ProblemBody {
  type: string
  title: string
  status: number
  detail?: string
  instance?: string
  request_id?: string
  errors: FieldError[]
}

export const PROBLEM_TYPE_BASE = 'https://courier-hub.dev/problems/'

export function problemBody(
  status: number,
  slug: string,
  title: string,
  detail?: string,
  errors: FieldError[] = []
): ProblemBody {
  return { type: `${PROBLEM_TYPE_BASE}${slug}`, title, status, detail, errors }
}

/** Converts a dotted field path (`recipient.phone`, `orders.3.weight_g`) to a JSON pointer. */
export function fieldToPointer(field: string): string {
  if (!field) return ''
  return (
    '/' +
    field
      .split('.')
      .map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1'))
      .join('/')
  )
}
