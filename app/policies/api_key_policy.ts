import type User from '#models/user'
import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'

/**
 * POS API keys are credentials: a merchant manages its own, admins any. Operators
 * work orders and have no need to mint or kill a merchant's credentials.
 */
export default class ApiKeyPolicy extends BasePolicy {
  before(user: User | null) {
    if (user?.role === 'admin') return true
  }

  view(user: User): AuthorizerResponse {
    return user.role === 'merchant'
  }

  create(user: User): AuthorizerResponse {
    return user.role === 'merchant'
  }

  revoke(user: User): AuthorizerResponse {
    return user.role === 'merchant'
  }
}
