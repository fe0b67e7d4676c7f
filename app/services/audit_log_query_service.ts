import AuditLog from '#models/audit_log'
import { keysetPage, type PageInput } from '#services/keyset_pagination'

export interface AuditLogFilters extends PageInput {
  merchant_id?: number
  action?: string
  subject_type?: string
  subject_id?: string
}

/** Newest first; the (merchant_id, id) and (subject_type, subject_id) indexes serve the filters. */
export function listAuditLogs(filters: AuditLogFilters) {
  const query = AuditLog.query()
  if (filters.merchant_id) query.where('merchant_id', filters.merchant_id)
  if (filters.action) query.where('action', filters.action)
  if (filters.subject_type) query.where('subject_type', filters.subject_type)
  if (filters.subject_id) query.where('subject_id', filters.subject_id)
  return keysetPage(query, 'audit_log', filters)
}
