import { DateTime } from 'luxon'
import type { HttpContext } from '@adonisjs/core/http'
import OrderTransformer from '#transformers/order_transformer'
import { createBatch, createOrder } from '#services/order_intake_service'
import { findOrder, listOrders } from '#services/order_query_service'
import { cancelOrderWithCarrier } from '#services/order_dispatch_service'
import { orderListValidator } from '#validators/order_list'
import { compileSchema } from '#schemas/json_validator'
import { cancelInputSchema } from '#schemas/order_intake_schema'
import ProblemException from '#exceptions/problem'
import { recordAudit } from '#services/audit_service'

const validateCancel = compileSchema<{ reason?: string }>(cancelInputSchema)

/**
 * POS intake API. Authenticated by API key: `ctx.merchant` is the caller, and
 * every lookup is scoped to it.
 */
export default class OrdersController {
  async store(ctx: HttpContext) {
    const order = await createOrder(ctx.merchant!, ctx.request.body())
    ctx.response.status(201)
    return ctx.serialize(OrderTransformer.transform(order, { reveal: true }))
  }

  async storeBatch(ctx: HttpContext) {
    const { batch, results } = await createBatch(ctx.merchant!, ctx.request.body())
    ctx.response.status(201)
    return ctx.serialize({
      batch: {
        id: batch.id,
        status: batch.status,
        total: batch.total,
        accepted: batch.accepted,
        rejected: batch.rejected,
        created_at: batch.createdAt.toISO(),
      },
      results,
    })
  }

  async index(ctx: HttpContext) {
    const filters = await ctx.request.validateUsing(orderListValidator, { data: ctx.request.qs() })
    const { orders, nextCursor } = await listOrders(ctx.merchant!.id, {
      ...filters,
      created_from: filters.created_from ? DateTime.fromISO(filters.created_from) : undefined,
      created_to: filters.created_to ? DateTime.fromISO(filters.created_to) : undefined,
      limit: filters.limit ?? 50,
    })
    return ctx.serialize(
      OrderTransformer.paginate(
        orders,
        { next_cursor: nextCursor, limit: filters.limit ?? 50 },
        { reveal: false }
      )
    )
  }

  async show(ctx: HttpContext) {
    const order = await findOrder(ctx.merchant!.id, parseId(ctx.params.id))
    return ctx.serialize(OrderTransformer.transform(order, { reveal: true }))
  }

  async cancel(ctx: HttpContext) {
    const input = validateCancel(ctx.request.body() ?? {})
    if (!input.ok) throw ProblemException.invalid(input.errors)
    const order = await findOrder(ctx.merchant!.id, parseId(ctx.params.id))
    const { cancelFeeFen } = await cancelOrderWithCarrier(order, input.value.reason, 'merchant')
    await recordAudit(
      ctx,
      'order.cancel',
      { type: 'order', id: order.id, merchantId: order.merchantId },
      { reason: input.value.reason ?? null, cancel_fee_fen: cancelFeeFen }
    )
    return ctx.serialize(OrderTransformer.transform(order, { reveal: true }))
  }
}

export function parseId(raw: string): number {
  const id = Number(raw)
  if (!Number.isSafeInteger(id) || id < 1)
    throw ProblemException.notFound(`Resource ${JSON.stringify(raw).slice(0, 40)}`)
  return id
}
