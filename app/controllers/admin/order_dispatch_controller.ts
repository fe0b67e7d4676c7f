import type { HttpContext } from '@adonisjs/core/http'
import OrderTransformer from '#transformers/order_transformer'
import { findOrder } from '#services/order_query_service'
import { merchantScope } from '#services/tenant_scope'
import { recordAudit } from '#services/audit_service'
import { tipValidator } from '#validators/admin/order'
import {
  addTipToOrder,
  cancelFeePreview,
  orderTimeline,
  redispatchOrder,
} from '#services/order_dispatch_service'

/**
 * Working an order with its carriers from the console: its timeline, what a
 * cancel would cost, a tip to attract a rider, a manual re-dispatch.
 */
export default class OrderDispatchController {
  async timeline(ctx: HttpContext) {
    await ctx.bouncer.with('OrderPolicy').authorize('view')
    const order = await findOrder(merchantScope(ctx.auth.getUserOrFail()), ctx.params.id)
    return ctx.serialize(await orderTimeline(order.id))
  }

  async cancelFee(ctx: HttpContext) {
    await ctx.bouncer.with('OrderPolicy').authorize('cancel')
    const order = await findOrder(merchantScope(ctx.auth.getUserOrFail()), ctx.params.id)
    return ctx.serialize(await cancelFeePreview(order))
  }

  async tip(ctx: HttpContext) {
    await ctx.bouncer.with('OrderPolicy').authorize('operate')
    const order = await findOrder(null, ctx.params.id)
    const { amount_fen: amountFen } = await ctx.request.validateUsing(tipValidator, {
      data: ctx.request.body(),
    })
    const user = ctx.auth.getUserOrFail()
    await addTipToOrder(order, amountFen, `user:${user.id}`)
    await recordAudit(
      ctx,
      'order.tip',
      { type: 'order', id: order.id, merchantId: order.merchantId },
      { amount_fen: amountFen }
    )
    return ctx.serialize(OrderTransformer.transform(order, { reveal: true }))
  }

  async redispatch(ctx: HttpContext) {
    await ctx.bouncer.with('OrderPolicy').authorize('operate')
    const order = await findOrder(null, ctx.params.id)
    const previousStatus = order.status
    const user = ctx.auth.getUserOrFail()
    await redispatchOrder(order, `user:${user.id}`)
    await recordAudit(
      ctx,
      'order.redispatch',
      { type: 'order', id: order.id, merchantId: order.merchantId },
      { from_status: previousStatus }
    )
    ctx.response.status(202)
    return ctx.serialize(OrderTransformer.transform(order, { reveal: true }))
  }
}
