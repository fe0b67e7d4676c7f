import Store from '#models/store'
import ProblemException from '#exceptions/problem'
import { isUniqueViolation } from '#services/idempotency_service'
import { keysetPage, type PageInput } from '#services/keyset_pagination'
import { pendingChanges } from '#services/audit_changes'
import { definedOnly } from '#services/defined_only'

export interface StoreInput {
  name: string
  code: string
  address: string
  city: string
  lat: number
  lng: number
  contact_name: string
  contact_phone: string
}

export function listStores(merchantId: number, page: PageInput) {
  return keysetPage(Store.query().where('merchant_id', merchantId), 'store', page)
}

/** Another merchant's store is reported as missing, never as forbidden. */
export async function findStore(scope: number | null, id: number) {
  const query = Store.query().where('id', id)
  if (scope !== null) query.where('merchant_id', scope)
  const store = await query.first()
  if (!store) throw ProblemException.notFound(`Store ${id}`)
  return store
}

function duplicateCode(code: string) {
  return new ProblemException({
    status: 409,
    slug: 'duplicate-store',
    title: 'Conflict',
    detail: `This merchant already has a store with code "${code}"`,
    errors: [{ pointer: '/code', rule: 'unique', message: 'is already used by another store' }],
  })
}

/** Orders name their store by code, so the (merchant, code) index must stay unique. */
async function saveUnique(store: Store) {
  try {
    await store.save()
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateCode(store.code)
    throw error
  }
}

export async function createStore(merchantId: number, input: StoreInput) {
  const store = new Store().merge({
    merchantId,
    name: input.name,
    code: input.code,
    address: input.address,
    city: input.city,
    lat: input.lat,
    lng: input.lng,
    contactName: input.contact_name,
    contactPhone: input.contact_phone,
  })
  await saveUnique(store)
  return store
}

export async function updateStore(store: Store, patch: Partial<StoreInput>) {
  store.merge(
    definedOnly({
      name: patch.name,
      code: patch.code,
      address: patch.address,
      city: patch.city,
      lat: patch.lat,
      lng: patch.lng,
      contactName: patch.contact_name,
      contactPhone: patch.contact_phone,
    })
  )
  const changes = pendingChanges(store)
  await saveUnique(store)
  return changes
}
