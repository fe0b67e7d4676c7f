import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Merchant, { type MerchantTier } from '#models/merchant'
import ProblemException from '#exceptions/problem'
import { isUniqueViolation } from '#services/idempotency_service'
import { keysetPage, type PageInput } from '#services/keyset_pagination'
import { pendingChanges } from '#services/audit_changes'
import { definedOnly } from '#services/defined_only'

export interface MerchantInput {
  name: string
  code: string
  tier: MerchantTier
  contact_phone?: string | null
}

export interface MerchantPatch {
  name?: string
  tier?: MerchantTier
  status?: 'active' | 'suspended'
  contact_phone?: string | null
}

/** `scope` from merchantScope(): null lists every merchant, a number only that one. */
export function listMerchants(scope: number | null, page: PageInput) {
  const query = Merchant.query()
  if (scope !== null) query.where('id', scope)
  return keysetPage(query, 'merchant', page)
}

export async function findMerchant(scope: number | null, id: number) {
  if (scope !== null && scope !== id) throw ProblemException.notFound(`Merchant ${id}`)
  const merchant = await Merchant.find(id)
  if (!merchant) throw ProblemException.notFound(`Merchant ${id}`)
  return merchant
}

function duplicateCode(code: string) {
  return new ProblemException({
    status: 409,
    slug: 'duplicate-merchant',
    title: 'Conflict',
    detail: `A merchant with code "${code}" already exists`,
    errors: [{ pointer: '/code', rule: 'unique', message: 'is already used by another merchant' }],
  })
}

/** The unique index decides, so two concurrent creates cannot both win. */
export async function createMerchant(input: MerchantInput, client?: TransactionClientContract) {
  try {
    return await Merchant.create(
      {
        name: input.name,
        code: input.code,
        tier: input.tier,
        status: 'active',
        contactPhone: input.contact_phone ?? null,
      },
      { client }
    )
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateCode(input.code)
    throw error
  }
}

export async function updateMerchant(merchant: Merchant, patch: MerchantPatch) {
  merchant.merge(
    definedOnly({
      name: patch.name,
      tier: patch.tier,
      status: patch.status,
      contactPhone: patch.contact_phone,
    })
  )
  const changes = pendingChanges(merchant)
  await merchant.save()
  return changes
}
