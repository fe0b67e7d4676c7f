import type User from '#models/user'
import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'

/**
 * Carrier accounts hold contracts and credentials. Admins manage them; operators
 * read them to follow carrier health; merchant users read their own merchant's
 * (the tenant scope in the service turns others into 404). Secrets are never
 * readable by anyone.
 */
export default class CarrierAccountPolicy extends BasePolicy {
  before(user: User | null) {
    if (user?.role === 'admin') return true
  }

  view(user: User): AuthorizerResponse {
    return user.role === 'operator' || user.role === 'merchant'
  }

  manage(_user: User): AuthorizerResponse {
    return false
  }
}
