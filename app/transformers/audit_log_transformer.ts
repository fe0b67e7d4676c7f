import type AuditLog from '#models/audit_log'
import { BaseTransformer } from '@adonisjs/core/transformers'

export default class AuditLogTransformer extends BaseTransformer<AuditLog> {
  toObject() {
    const a = this.resource
    return {
      id: a.id,
      action: a.action,
      actor: { type: a.actorType, id: a.actorId, label: a.actorLabel },
      merchant_id: a.merchantId,
      subject: a.subjectType ? { type: a.subjectType, id: a.subjectId } : null,
      changes: a.changes,
      ip: a.ip,
      request_id: a.requestId,
      created_at: a.createdAt.toISO(),
    }
  }
}
