import vine from '@vinejs/vine'
import type { MerchantTier } from '#models/merchant'
import { label, pageFields, phone } from '#validators/admin/fields'

export const MERCHANT_TIERS = [
  'standard',
  'vip',
  'key_account',
] as const satisfies readonly MerchantTier[]
export const MERCHANT_STATUSES = ['active', 'suspended'] as const

/** Codes end up in URLs, exports and carrier references: lower-case and stable. */
const merchantCode = () =>
  vine
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9_-]{1,63}$/)

export const merchantListValidator = vine.compile(vine.object({ ...pageFields() }))

export const createMerchantValidator = vine.compile(
  vine.object({
    name: label(120),
    code: merchantCode(),
    tier: vine.enum(MERCHANT_TIERS),
    contact_phone: phone().nullable().optional(),
  })
)

/** The code is an identifier other systems keep; it cannot be renamed. */
export const updateMerchantValidator = vine.compile(
  vine.object({
    name: label(120).optional(),
    tier: vine.enum(MERCHANT_TIERS).optional(),
    status: vine.enum(MERCHANT_STATUSES).optional(),
    contact_phone: phone().nullable().optional(),
  })
)
