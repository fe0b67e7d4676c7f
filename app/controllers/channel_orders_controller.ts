import type { HttpContext } from '@adonisjs/core/http'
import OrderTransformer from '#transformers/order_transformer'
import { channelAdapters } from '#intake/channels/registry'
import { createOrder } from '#services/order_intake_service'
import ProblemException from '#exceptions/problem'

/**
 * Orders pushed in a delivery platform's own shape; normalized, then taken in
 * exactly like a POS order.
 */
export default class ChannelOrdersController {
  async store(ctx: HttpContext) {
    const adapter = channelAdapters.get(ctx.params.channel)
    if (!adapter) {
      throw new ProblemException({
        status: 404,
        slug: 'unknown-channel',
        title: 'Unknown channel',
        detail: `No adapter for channel "${String(ctx.params.channel).slice(0, 32)}"; known: ${[...channelAdapters.keys()].join(', ')}`,
      })
    }
    const normalized = adapter.normalize(ctx.request.body())
    if (!normalized.ok)
      throw ProblemException.invalid(normalized.errors, `The ${adapter.channel} order is invalid`)
    const order = await createOrder(ctx.merchant!, normalized.order)
    ctx.response.status(201)
    return ctx.serialize(OrderTransformer.transform(order, { reveal: true }))
  }
}
