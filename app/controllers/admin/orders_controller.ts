import { DateTime } from 'luxon'
import type { HttpContext } from '@adonisjs/core/http'
import OrderTransformer from '#transformers/order_transformer'
import { orderListValidator } from '#validators/order_list'
import { cancelOrderValidator } from '#validators/admin/order'
import { findOrder, listOrders } from '#services/order_query_service'
import { cancelOrderWithCarrier } from '#services/order_dispatch_service'
import { merchantScope } from '#services/tenant_scope'
import { recordAudit } from '#services/audit_service'

const DEFAULT_LIMIT = 50

/**
 * Orders as the console sees them. Lists are always masked; a single order shows
 * the recipient in full only to roles the OrderPolicy lets see it.
 */
export default class OrdersController {
  async index(ctx: HttpContext) {
    await ctx.bouncer.with('OrderPolicy').authorize('view')
    const { merchant_id: merchantId, ...filters } = await ctx.request.validateUsing(
      orderListValidator,
      { data: ctx.request.qs() }
    )
    // Staff may narrow to one merchant; a merchant user is held to their own
    // whatever merchant_id they send.
    const scope = merchantScope(ctx.auth.getUserOrFail()) ?? merchantId ?? null
    const limit = filters.limit ?? DEFAULT_LIMIT
    const { orders, nextCursor } = await listOrders(scope, {
      ...filters,
      created_from: filters.created_from ? DateTime.fromISO(filters.created_from) : undefined,
      created_to: filters.created_to ? DateTime.fromISO(filters.created_to) : undefined,
      limit,
    })
    return ctx.serialize(
      OrderTransformer.paginate(orders, { next_cursor: nextCursor, limit }, { reveal: false })
    )
  }

  async show(ctx: HttpContext) {
    await ctx.bouncer.with('OrderPolicy').authorize('view')
    const order = await findOrder(merchantScope(ctx.auth.getUserOrFail()), ctx.params.id)
    const reveal = await ctx.bouncer.with('OrderPolicy').allows('revealRecipient')
    return ctx.serialize(OrderTransformer.transform(order, { reveal }))
  }

  async cancel(ctx: HttpContext) {
    await ctx.bouncer.with('OrderPolicy').authorize('cancel')
    const order = await findOrder(merchantScope(ctx.auth.getUserOrFail()), ctx.params.id)
    const { reason } = await ctx.request.validateUsing(cancelOrderValidator, {
      data: ctx.request.body(),
    })
    const previousStatus = order.status
    const user = ctx.auth.getUserOrFail()
    const { cancelFeeFen } = await cancelOrderWithCarrier(order, reason, `user:${user.id}`)
    await recordAudit(
      ctx,
      'order.cancel',
      { type: 'order', id: order.id, merchantId: order.merchantId },
      {
        reason: reason ?? null,
        status: { from: previousStatus, to: order.status },
        cancel_fee_fen: cancelFeeFen,
      }
    )
    const reveal = await ctx.bouncer.with('OrderPolicy').allows('revealRecipient')
    return ctx.serialize(OrderTransformer.transform(order, { reveal }))
  }
}
