import ApiKey from '#models/api_key'
import ProblemException from '#exceptions/problem'
import { keysetPage, type PageInput } from '#services/keyset_pagination'

/** Revoked keys stay listed: the console shows when and which key was retired. */
export function listApiKeys(merchantId: number, page: PageInput) {
  return keysetPage(ApiKey.query().where('merchant_id', merchantId), 'api_key', page)
}

/** Another merchant's key is reported as missing, never as forbidden. */
export async function findApiKey(scope: number | null, id: number) {
  const query = ApiKey.query().where('id', id)
  if (scope !== null) query.where('merchant_id', scope)
  const apiKey = await query.first()
  if (!apiKey) throw ProblemException.notFound(`API key ${id}`)
  return apiKey
}
