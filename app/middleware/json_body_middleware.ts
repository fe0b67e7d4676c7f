import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import ProblemException from '#exceptions/problem'

/**
 * Write endpoints accept JSON only (415 otherwise) and may set a tighter size cap
 * than the global body limit: `middleware.jsonBody({ maxBytes: 65536 })`.
 */
export default class JsonBodyMiddleware {
  async handle(
    ctx: HttpContext,
    next: NextFn,
    options: { maxBytes?: number; optional?: boolean } = {}
  ) {
    const length = Number(ctx.request.header('content-length') ?? 0)
    const hasBody = length > 0 || ctx.request.header('transfer-encoding') !== undefined
    if (!hasBody && options.optional) return next()

    if (ctx.request.bodyType !== 'json') {
      throw new ProblemException({
        status: 415,
        slug: 'unsupported-media-type',
        title: 'Unsupported media type',
        detail: `Send the body as application/json (got ${ctx.request.header('content-type') ?? 'no content type'})`,
        errors: [{ pointer: '', rule: 'contentType', message: 'must be application/json' }],
      })
    }
    const raw = ctx.request.raw() ?? ''
    const size = Buffer.byteLength(raw)
    if (options.maxBytes && size > options.maxBytes) {
      throw new ProblemException({
        status: 413,
        slug: 'body-too-large',
        title: 'Request body too large',
        detail: `This endpoint accepts at most ${options.maxBytes} bytes (got ${size})`,
        errors: [
          { pointer: '', rule: 'maxBytes', message: `must be at most ${options.maxBytes} bytes` },
        ],
      })
    }
    return next()
  }
}
