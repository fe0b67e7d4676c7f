import vine from '@vinejs/vine'
import { id, pageFields } from '#validators/admin/fields'

export const auditLogListValidator = vine.compile(
  vine.object({
    merchant_id: id().optional(),
    action: vine
      .string()
      .regex(/^[a-z_]+\.[a-z_]+$/)
      .maxLength(64)
      .optional(),
    subject_type: vine
      .string()
      .regex(/^[a-z_]+$/)
      .maxLength(32)
      .optional(),
    subject_id: vine.string().maxLength(64).optional(),
    ...pageFields(),
  })
)
