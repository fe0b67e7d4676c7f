import type { HttpContext } from '@adonisjs/core/http'
import ProblemException from '#exceptions/problem'
import {
  receiveWebhook,
  tooLarge,
  WEBHOOK_MAX_BYTES,
} from '#services/plugins/webhook_intake_service'

/**
 * The raw body as the carrier sent it. JSON, form and text bodies were read by the
 * body parser (which keeps the raw text); other types are still unread on the socket.
 */
async function rawBody(ctx: HttpContext): Promise<string> {
  const declared = Number(ctx.request.header('content-length') ?? 0)
  if (declared > WEBHOOK_MAX_BYTES) throw tooLarge(declared)
  if (ctx.request.bodyType === 'multipart') {
    throw new ProblemException({
      status: 415,
      slug: 'unsupported-media-type',
      title: 'Unsupported media type',
      detail: 'Callbacks are accepted as JSON, form or text bodies, not multipart',
      errors: [{ pointer: '', rule: 'contentType', message: 'must not be multipart/form-data' }],
    })
  }
  const parsed = ctx.request.raw()
  if (parsed !== null && parsed !== undefined) return parsed
  if (ctx.request.bodyType !== 'unknown') return ''

  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of ctx.request.request) {
    size += (chunk as Buffer).length
    if (size > WEBHOOK_MAX_BYTES) throw tooLarge(size)
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/**
 * POST /api/v1/webhooks/:account: no user authentication; the carrier's signature,
 * checked by its plugin, is the authentication.
 */
export default class WebhooksController {
  async receive(ctx: HttpContext) {
    await receiveWebhook(ctx.params.account, {
      body: await rawBody(ctx),
      headers: ctx.request.headers(),
      query: ctx.request.qs(),
    })
    // The SDK's verifyWebhook has no say in the response body, so every carrier gets
    // the same short acknowledgement.
    return { ok: true }
  }
}
