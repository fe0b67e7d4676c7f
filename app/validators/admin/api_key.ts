import vine from '@vinejs/vine'
import { label, pageFields } from '#validators/admin/fields'

export const apiKeyListValidator = vine.compile(vine.object({ ...pageFields() }))

/** The name tells keys apart in the console ("front desk POS", "mini-program"). */
export const createApiKeyValidator = vine.compile(vine.object({ name: label(120) }))
