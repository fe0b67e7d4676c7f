import type { HttpContext } from '@adonisjs/core/http'
import { merchantScope } from '#services/tenant_scope'
import { batchProgress, exceptionQueue } from '#services/batch_progress_service'
import { exceptionListValidator } from '#validators/admin/order'

/** The console's dispatch views: the exceptions queue and batch progress. */
export default class DispatchMonitorController {
  async exceptions(ctx: HttpContext) {
    await ctx.bouncer.with('OrderPolicy').authorize('view')
    const { cursor, limit = 50 } = await ctx.request.validateUsing(exceptionListValidator, {
      data: ctx.request.qs(),
    })
    const page = await exceptionQueue(merchantScope(ctx.auth.getUserOrFail()), { cursor, limit })
    return ctx.serialize({ items: page.items, next_cursor: page.nextCursor })
  }

  async batch(ctx: HttpContext) {
    await ctx.bouncer.with('OrderPolicy').authorize('view')
    return ctx.serialize(
      await batchProgress(merchantScope(ctx.auth.getUserOrFail()), Number(ctx.params.id))
    )
  }
}
