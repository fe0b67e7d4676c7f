import app from '@adonisjs/core/services/app'
import { type HttpContext, ExceptionHandler } from '@adonisjs/core/http'
import ProblemException from '#exceptions/problem'
import { fieldToPointer, problemBody, type ProblemBody } from '#exceptions/problem_body'

/**
 * Every error leaves the API as a JSON problem body with `type`, `title`, `status`,
 * `detail` and `errors[]` (one JSON pointer per field). Unknown errors become a 500
 * without internals; the details go to the log only.
 */
export default class HttpExceptionHandler extends ExceptionHandler {
  protected debug = !app.inProduction

  /** 4xx are the client's business, not an operator's: keep them out of error logs. */
  protected ignoreStatuses = [400, 401, 403, 404, 405, 409, 413, 415, 422, 429]

  async handle(error: unknown, ctx: HttpContext) {
    const { body, headers } = this.toProblem(error)
    body.instance = ctx.request.url()
    body.request_id = ctx.request.id()
    for (const [name, value] of Object.entries(headers)) ctx.response.header(name, value)
    ctx.response.status(body.status).type('application/problem+json').send(body)
  }

  async report(error: unknown, ctx: HttpContext) {
    return super.report(error, ctx)
  }

  private toProblem(error: unknown): { body: ProblemBody; headers: Record<string, string> } {
    if (error instanceof ProblemException) {
      return {
        body: problemBody(error.status, error.slug, error.title, error.detail, error.errors),
        headers: error.headers,
      }
    }

    const err = error as {
      code?: string
      status?: number
      message?: string
      messages?: any
      headers?: any
    }

    // Body parser: malformed JSON surfaces as a SyntaxError tagged with status 400.
    if (error instanceof SyntaxError && err.status === 400) {
      return plain(
        problemBody(
          400,
          'malformed-json',
          'Malformed JSON',
          `The body is not valid JSON: ${error.message}`,
          [{ pointer: '', rule: 'json', message: error.message }]
        )
      )
    }

    switch (err.code) {
      case 'E_VALIDATION_ERROR': {
        const errors = (err.messages ?? []).map(
          (m: { field: string; rule: string; message: string }) => ({
            pointer: fieldToPointer(m.field),
            rule: m.rule,
            message: m.message,
          })
        )
        return plain(
          problemBody(
            422,
            'validation-failed',
            'Validation failed',
            'The request is invalid',
            errors
          )
        )
      }
      case 'E_REQUEST_ENTITY_TOO_LARGE':
        return plain(
          problemBody(413, 'body-too-large', 'Request body too large', err.message, [
            { pointer: '', rule: 'maxBytes', message: err.message ?? 'request entity too large' },
          ])
        )
      case 'E_UNAUTHORIZED_ACCESS':
        return plain(
          problemBody(401, 'unauthorized', 'Unauthorized', 'Valid credentials are required')
        )
      case 'E_INVALID_CREDENTIALS':
        return plain(
          problemBody(
            401,
            'invalid-credentials',
            'Invalid credentials',
            'Email or password is wrong'
          )
        )
      case 'E_AUTHORIZATION_FAILURE':
        return plain(
          problemBody(403, 'forbidden', 'Forbidden', 'Your role does not allow this action')
        )
      case 'E_ROUTE_NOT_FOUND':
        return plain(problemBody(404, 'route-not-found', 'Not found', err.message))
      case 'E_ROW_NOT_FOUND':
        return plain(problemBody(404, 'not-found', 'Not found', 'The resource does not exist'))
      case 'E_TOO_MANY_REQUESTS':
        return {
          body: problemBody(
            429,
            'rate-limited',
            'Too many requests',
            'Slow down and retry after the delay in Retry-After'
          ),
          headers: pickRateLimitHeaders(err),
        }
    }

    const status =
      typeof err.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500
    if (status < 500) {
      return plain(problemBody(status, 'bad-request', 'Bad request', err.message))
    }
    const detail = this.debug ? err.message : 'An unexpected error occurred; it has been logged'
    return plain(problemBody(500, 'internal-error', 'Internal server error', detail))
  }
}

function plain(body: ProblemBody) {
  return { body, headers: {} as Record<string, string> }
}

function pickRateLimitHeaders(err: any): Record<string, string> {
  const headers: Record<string, string> = {}
  const response = err.response
  if (response && typeof response.availableIn === 'number') {
    headers['retry-after'] = String(response.availableIn)
  }
  return headers
}
