import type ApiKey from '#models/api_key'
import { BaseTransformer } from '@adonisjs/core/transformers'

/**
 * A key as the console shows it: the prefix identifies it, the hash never leaves
 * the server. `secret` is passed only on the response that creates the key.
 */
export default class ApiKeyTransformer extends BaseTransformer<ApiKey> {
  constructor(
    resource: ApiKey,
    private options: { secret?: string } = {}
  ) {
    super(resource)
  }

  toObject() {
    const k = this.resource
    return {
      id: k.id,
      merchant_id: k.merchantId,
      name: k.name,
      prefix: k.prefix,
      ...(this.options.secret ? { secret: this.options.secret } : {}),
      created_by_user_id: k.createdByUserId,
      created_at: k.createdAt.toISO(),
      last_used_at: k.lastUsedAt?.toISO() ?? null,
      revoked_at: k.revokedAt?.toISO() ?? null,
    }
  }
}
