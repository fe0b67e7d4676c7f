import type User from '#models/user'
import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'

/**
 * Stores: operators look, merchants maintain their own. The merchant boundary is
 * the lookup's scope (404), not this policy (403).
 */
export default class StorePolicy extends BasePolicy {
  before(user: User | null) {
    if (user?.role === 'admin') return true
  }

  view(user: User): AuthorizerResponse {
    return user.role === 'operator' || user.role === 'merchant'
  }

  create(user: User): AuthorizerResponse {
    return user.role === 'merchant'
  }

  update(user: User): AuthorizerResponse {
    return user.role === 'merchant'
  }
}
