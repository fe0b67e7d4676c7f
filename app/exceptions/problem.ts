import { Exception } from '@adonisjs/core/exceptions'

/**
 * One field-level error inside a problem body. `pointer` is a JSON pointer
 * (RFC 6901) into the request body; `rule` names the rule that failed.
 */
export interface FieldError {
  pointer: string
  rule: string
  message: string
}

export interface ProblemInit {
  status: number
  /** Short, stable slug; becomes part of the problem `type` URI. */
  slug: string
  title: string
  detail?: string
  errors?: FieldError[]
  headers?: Record<string, string>
}

/**
 * An error the API reports as an RFC 9457 problem body. Services throw it with the
 * exact status and message the client should see; the exception handler renders it.
 */
export default class ProblemException extends Exception {
  readonly slug: string
  readonly title: string
  readonly detail?: string
  readonly errors: FieldError[]
  readonly headers: Record<string, string>

  constructor(init: ProblemInit) {
    super(init.detail ?? init.title, {
      status: init.status,
      code: `E_${init.slug.toUpperCase().replaceAll('-', '_')}`,
    })
    this.slug = init.slug
    this.title = init.title
    this.detail = init.detail
    this.errors = init.errors ?? []
    this.headers = init.headers ?? {}
  }

  static notFound(what: string) {
    return new ProblemException({
      status: 404,
      slug: 'not-found',
      title: 'Not found',
      detail: `${what} not found`,
    })
  }

  static conflict(detail: string, slug = 'conflict') {
    return new ProblemException({ status: 409, slug, title: 'Conflict', detail })
  }

  static invalid(errors: FieldError[], detail = 'The request body is invalid') {
    return new ProblemException({
      status: 422,
      slug: 'validation-failed',
      title: 'Validation failed',
      detail,
      errors,
    })
  }
}
