import type User from '#models/user'
import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'

/**
 * Plugins run code inside the hub: only admins install, upgrade, switch or remove
 * them. Operators watch their health and integrators check what their package
 * does once installed; merchants have no business here.
 */
export default class PluginPolicy extends BasePolicy {
  before(user: User | null) {
    if (user?.role === 'admin') return true
  }

  view(user: User): AuthorizerResponse {
    return user.role === 'operator' || user.role === 'integrator'
  }

  manage(_user: User): AuthorizerResponse {
    return false
  }
}
