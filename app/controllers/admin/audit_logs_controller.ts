import type { HttpContext } from '@adonisjs/core/http'
import AuditLogTransformer from '#transformers/audit_log_transformer'
import { auditLogListValidator } from '#validators/admin/audit_log'
import { listAuditLogs } from '#services/audit_log_query_service'

export default class AuditLogsController {
  async index(ctx: HttpContext) {
    await ctx.bouncer.authorize('viewAuditLog')
    const filters = await ctx.request.validateUsing(auditLogListValidator, {
      data: ctx.request.qs(),
    })
    const { rows, nextCursor, limit } = await listAuditLogs(filters)
    return ctx.serialize(AuditLogTransformer.paginate(rows, { next_cursor: nextCursor, limit }))
  }
}
