import type { HttpContext } from '@adonisjs/core/http'
import ApiKeyTransformer from '#transformers/api_key_transformer'
import { apiKeyListValidator, createApiKeyValidator } from '#validators/admin/api_key'
import { issueApiKey, revokeApiKey } from '#services/api_key_service'
import { findApiKey, listApiKeys } from '#services/api_key_query_service'
import { findMerchant } from '#services/merchant_service'
import { merchantScope } from '#services/tenant_scope'
import { recordAudit } from '#services/audit_service'

/** POS API keys of one merchant. The secret is shown once, on creation. */
export default class ApiKeysController {
  async index(ctx: HttpContext) {
    await ctx.bouncer.with('ApiKeyPolicy').authorize('view')
    const merchant = await findMerchant(
      merchantScope(ctx.auth.getUserOrFail()),
      ctx.params.merchantId
    )
    const page = await ctx.request.validateUsing(apiKeyListValidator, { data: ctx.request.qs() })
    const { rows, nextCursor, limit } = await listApiKeys(merchant.id, page)
    return ctx.serialize(ApiKeyTransformer.paginate(rows, { next_cursor: nextCursor, limit }))
  }

  async store(ctx: HttpContext) {
    await ctx.bouncer.with('ApiKeyPolicy').authorize('create')
    const user = ctx.auth.getUserOrFail()
    const merchant = await findMerchant(merchantScope(user), ctx.params.merchantId)
    const { name } = await ctx.request.validateUsing(createApiKeyValidator, {
      data: ctx.request.body(),
    })
    const { apiKey, secret } = await issueApiKey(merchant.id, name, user.id)
    await recordAudit(
      ctx,
      'api_key.create',
      { type: 'api_key', id: apiKey.id, merchantId: merchant.id },
      { name: apiKey.name, prefix: apiKey.prefix }
    )
    ctx.response.status(201)
    return ctx.serialize(ApiKeyTransformer.transform(apiKey, { secret }))
  }

  /** Revoking twice is harmless and answers the same; only the first is audited. */
  async revoke(ctx: HttpContext) {
    await ctx.bouncer.with('ApiKeyPolicy').authorize('revoke')
    const apiKey = await findApiKey(merchantScope(ctx.auth.getUserOrFail()), ctx.params.id)
    const wasActive = apiKey.isActive
    await revokeApiKey(apiKey)
    if (wasActive) {
      await recordAudit(
        ctx,
        'api_key.revoke',
        { type: 'api_key', id: apiKey.id, merchantId: apiKey.merchantId },
        { name: apiKey.name, prefix: apiKey.prefix }
      )
    }
    return ctx.serialize(ApiKeyTransformer.transform(apiKey))
  }
}
