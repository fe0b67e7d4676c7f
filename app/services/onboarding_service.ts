import db from '@adonisjs/lucid/services/db'
import string from '@adonisjs/core/helpers/string'
import type { MerchantTier } from '#models/merchant'
import type { UserRole } from '#models/user'
import { issueApiKey } from '#services/api_key_service'
import { createMerchant } from '#services/merchant_service'
import { createUser } from '#services/user_service'
import { createMerchantValidator } from '#validators/admin/merchant'
import { createUserValidator } from '#validators/admin/user'

/**
 * Command-line onboarding (ace commands, demo seed). Input goes through the same
 * validators and services as the admin API, so the CLI cannot create what the
 * console would refuse.
 */
export async function createMerchantWithKey(input: {
  name: string
  code?: string
  tier?: MerchantTier
}) {
  const valid = await createMerchantValidator.validate({
    name: input.name,
    code:
      input.code ??
      (string.slug(input.name, { lower: true }) || `m-${string.random(6).toLowerCase()}`),
    tier: input.tier ?? 'standard',
  })
  return db.transaction(async (trx) => {
    const merchant = await createMerchant(valid, trx)
    const { apiKey, secret } = await issueApiKey(merchant.id, 'default', null, trx)
    return { merchant, apiKey, secret }
  })
}

export async function createUserAccount(input: {
  email: string
  password: string
  role: UserRole
  merchantId?: number | null
  fullName?: string | null
}) {
  const valid = await createUserValidator.validate({
    email: input.email,
    password: input.password,
    role: input.role,
    merchant_id: input.merchantId ?? undefined,
    full_name: input.fullName ?? undefined,
  })
  return createUser(valid)
}
