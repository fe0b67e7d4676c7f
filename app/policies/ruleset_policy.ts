import type User from '#models/user'
import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'

/**
 * Dispatch rules decide where every order goes and what it costs, so only admins
 * change them. Operators read, validate, dry-run and backtest; merchant users read
 * and dry-run their own override (the lookup's scope makes any other ruleset a
 * 404). Integrators build carrier plugins and have no business here.
 */
export default class RulesetPolicy extends BasePolicy {
  before(user: User | null) {
    if (user?.role === 'admin') return true
  }

  view(user: User): AuthorizerResponse {
    return user.role === 'operator' || user.role === 'merchant'
  }

  /** Validation changes nothing; it is reading with a second opinion. */
  validate(user: User): AuthorizerResponse {
    return user.role === 'operator' || user.role === 'merchant'
  }

  dryRun(user: User): AuthorizerResponse {
    return user.role === 'operator' || user.role === 'merchant'
  }

  /** Replays every merchant's decisions of a period: staff only. */
  backtest(user: User): AuthorizerResponse {
    return user.role === 'operator'
  }

  create(_user: User): AuthorizerResponse {
    return false
  }

  editDraft(_user: User): AuthorizerResponse {
    return false
  }

  publish(_user: User): AuthorizerResponse {
    return false
  }

  rollback(_user: User): AuthorizerResponse {
    return false
  }
}
