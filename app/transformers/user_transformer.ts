import type User from '#models/user'
import { BaseTransformer } from '@adonisjs/core/transformers'

/** Listed field by field so a new column (a hash, a secret) never leaks by default. */
export default class UserTransformer extends BaseTransformer<User> {
  toObject() {
    const u = this.resource
    return {
      id: u.id,
      email: u.email,
      full_name: u.fullName,
      role: u.role,
      merchant_id: u.merchantId,
      last_login_at: u.lastLoginAt?.toISO() ?? null,
      created_at: u.createdAt.toISO(),
      updated_at: u.updatedAt.toISO(),
    }
  }
}
