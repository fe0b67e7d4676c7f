import type User from '#models/user'
import ProblemException from '#exceptions/problem'

/**
 * The merchant whose rows a console user may see: `null` means every merchant
 * (admins and operators), otherwise the merchant user's own. Services filter their
 * lookups by it, so another tenant's id reads as "not found", never "forbidden".
 */
export function merchantScope(user: User): number | null {
  if (user.isStaff) return null
  if (user.role === 'merchant' && user.merchantId !== null) return user.merchantId
  // Policies turn other roles away before any lookup; failing closed here means a
  // forgotten policy check cannot widen a query to every merchant.
  throw new ProblemException({
    status: 403,
    slug: 'forbidden',
    title: 'Forbidden',
    detail: 'Your role does not allow this action',
  })
}
