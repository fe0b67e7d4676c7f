import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import Merchant from '#models/merchant'
import type ApiKey from '#models/api_key'
import ProblemException from '#exceptions/problem'
import { findActiveApiKey, touchApiKey } from '#services/api_key_service'

/**
 * POS intake: `Authorization: Bearer <api key>`. The key decides the merchant; every
 * query below this middleware is scoped to it.
 */
export default class ApiKeyMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const header = ctx.request.header('authorization') ?? ''
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    const apiKey = match ? await findActiveApiKey(match[1]) : null
    if (!apiKey) {
      throw new ProblemException({
        status: 401,
        slug: 'unauthorized',
        title: 'Unauthorized',
        detail: match
          ? 'The API key is unknown or revoked'
          : 'Send the API key as "Authorization: Bearer <key>"',
        headers: { 'www-authenticate': 'Bearer' },
      })
    }
    const merchant = await Merchant.findOrFail(apiKey.merchantId)
    if (merchant.status !== 'active') {
      throw new ProblemException({
        status: 403,
        slug: 'merchant-suspended',
        title: 'Forbidden',
        detail: 'This merchant is suspended',
      })
    }
    ctx.merchant = merchant
    ctx.apiKey = apiKey
    await touchApiKey(apiKey)
    return next()
  }
}

declare module '@adonisjs/core/http' {
  export interface HttpContext {
    merchant?: Merchant
    apiKey?: ApiKey
  }
}
