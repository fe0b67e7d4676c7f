import type { HttpContext } from '@adonisjs/core/http'
import AuditLog from '#models/audit_log'
import type User from '#models/user'

export interface AuditSubject {
  type: string
  id: string | number
  merchantId?: number | null
}

/**
 * Who changed what, from where. Called by every state-changing admin action and by
 * merchant-side actions (cancel). Never pass secrets in `changes`.
 */
export async function recordAudit(
  ctx: HttpContext | null,
  action: string,
  subject: AuditSubject | null,
  changes: Record<string, unknown> | null = null,
  /** The acting user when the request is not (yet) authenticated, e.g. at login. */
  actor?: User
) {
  const user = actor ?? ctx?.auth?.user
  const apiKey = ctx?.apiKey
  return AuditLog.create({
    actorType: user ? 'user' : apiKey ? 'api_key' : 'system',
    actorId: user?.id ?? apiKey?.id ?? null,
    actorLabel: user?.email ?? (apiKey ? `${apiKey.prefix}… (${apiKey.name})` : 'system'),
    merchantId: subject?.merchantId ?? ctx?.merchant?.id ?? user?.merchantId ?? null,
    action,
    subjectType: subject?.type ?? null,
    subjectId: subject ? String(subject.id) : null,
    changes,
    ip: ctx?.request.ip() ?? null,
    requestId: ctx?.request.id() ?? null,
  })
}
