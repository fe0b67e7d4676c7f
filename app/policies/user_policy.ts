import type User from '#models/user'
import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'

/**
 * Console accounts and their roles are managed by admins only; everyone else
 * sees just their own account through /me.
 */
export default class UserPolicy extends BasePolicy {
  before(user: User | null) {
    if (user?.role === 'admin') return true
  }

  view(_user: User): AuthorizerResponse {
    return false
  }

  create(_user: User): AuthorizerResponse {
    return false
  }

  update(_user: User): AuthorizerResponse {
    return false
  }

  delete(_user: User): AuthorizerResponse {
    return false
  }
}
