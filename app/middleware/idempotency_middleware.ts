import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import * as idempotency from '#services/idempotency_service'

/**
 * Stripe's Idempotency-Key semantics for POST routes: the first response is stored
 * and replayed for retries with the same key and body. Runs after authentication,
 * because keys belong to a merchant (API key) or a console user.
 */
export default class IdempotencyMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const key = ctx.request.header('idempotency-key')
    if (key === undefined) return next()

    const scope = ctx.merchant
      ? `merchant:${ctx.merchant.id}`
      : `user:${ctx.auth.user?.id ?? 'anonymous'}`
    const path = ctx.request.url()
    const digest = idempotency.requestDigest(ctx.request.method(), path, ctx.request.body())
    const outcome = await idempotency.begin(scope, key, ctx.request.method(), path, digest)
    void idempotency.pruneExpired()

    if (outcome.kind === 'replay') {
      ctx.response.header('idempotency-replayed', 'true')
      ctx.response.status(outcome.status).type('application/json').send(outcome.body)
      return
    }

    try {
      await next()
    } catch (error) {
      await idempotency.release(outcome.record)
      throw error
    }

    // Only results are stored. A rejected request (validation, conflict, server
    // error) changed nothing, so the client may fix it and retry with the same key.
    const status = ctx.response.getStatus()
    if (status >= 400) {
      await idempotency.release(outcome.record)
      return
    }
    const body = ctx.response.getBody()
    const serialized = typeof body === 'string' ? body : JSON.stringify(body ?? null)
    await idempotency.complete(outcome.record, status, serialized)
  }
}
