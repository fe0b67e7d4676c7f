import type User from '#models/user'
import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'

/**
 * Console view of orders. Operators handle every merchant's exceptions, merchant
 * users their own orders (scoped lookup → 404 for others). Integrators build
 * carrier plugins and never see orders.
 */
export default class OrderPolicy extends BasePolicy {
  before(user: User | null) {
    if (user?.role === 'admin') return true
  }

  view(user: User): AuthorizerResponse {
    return user.role === 'operator' || user.role === 'merchant'
  }

  cancel(user: User): AuthorizerResponse {
    return user.role === 'operator' || user.role === 'merchant'
  }

  /**
   * Recipient name, phone and address in full on a single order: staff, who call
   * recipients about stuck deliveries. Merchant users get them masked; their POS
   * (API key) is the system of record and already has them.
   */
  revealRecipient(user: User): AuthorizerResponse {
    return user.role === 'operator'
  }

  /** Tip and re-dispatch: operating the carriers is staff work. */
  operate(user: User): AuthorizerResponse {
    return user.role === 'operator'
  }
}
