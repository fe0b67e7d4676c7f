import type User from '#models/user'
import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'

/**
 * Whether a role may act on merchants at all (403 otherwise). Which merchant a
 * merchant user sees is the lookup's scope (merchantScope), so another tenant's
 * merchant is a 404 that does not reveal it exists.
 */
export default class MerchantPolicy extends BasePolicy {
  before(user: User | null) {
    if (user?.role === 'admin') return true
  }

  /** Operators read every merchant; merchant users read their own. */
  view(user: User): AuthorizerResponse {
    return user.role === 'operator' || user.role === 'merchant'
  }

  /** Onboarding, tiers and suspension are platform decisions: admins only. */
  create(_user: User): AuthorizerResponse {
    return false
  }

  update(_user: User): AuthorizerResponse {
    return false
  }
}
