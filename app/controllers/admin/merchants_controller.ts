import type { HttpContext } from '@adonisjs/core/http'
import MerchantTransformer from '#transformers/merchant_transformer'
import {
  createMerchantValidator,
  merchantListValidator,
  updateMerchantValidator,
} from '#validators/admin/merchant'
import {
  createMerchant,
  findMerchant,
  listMerchants,
  updateMerchant,
} from '#services/merchant_service'
import { merchantScope } from '#services/tenant_scope'
import { recordAudit } from '#services/audit_service'
import { hasChanges } from '#services/audit_changes'

/**
 * Role first (403), then the tenant-scoped lookup (404), then the body (422): a
 * merchant user learns nothing about merchants that are not theirs.
 */
export default class MerchantsController {
  async index(ctx: HttpContext) {
    await ctx.bouncer.with('MerchantPolicy').authorize('view')
    const page = await ctx.request.validateUsing(merchantListValidator, {
      data: ctx.request.qs(),
    })
    const { rows, nextCursor, limit } = await listMerchants(
      merchantScope(ctx.auth.getUserOrFail()),
      page
    )
    return ctx.serialize(MerchantTransformer.paginate(rows, { next_cursor: nextCursor, limit }))
  }

  async show(ctx: HttpContext) {
    await ctx.bouncer.with('MerchantPolicy').authorize('view')
    const merchant = await findMerchant(merchantScope(ctx.auth.getUserOrFail()), ctx.params.id)
    return ctx.serialize(MerchantTransformer.transform(merchant))
  }

  async store(ctx: HttpContext) {
    await ctx.bouncer.with('MerchantPolicy').authorize('create')
    const input = await ctx.request.validateUsing(createMerchantValidator, {
      data: ctx.request.body(),
    })
    const merchant = await createMerchant(input)
    await recordAudit(
      ctx,
      'merchant.create',
      { type: 'merchant', id: merchant.id, merchantId: merchant.id },
      input
    )
    ctx.response.status(201)
    return ctx.serialize(MerchantTransformer.transform(merchant))
  }

  async update(ctx: HttpContext) {
    await ctx.bouncer.with('MerchantPolicy').authorize('update')
    const merchant = await findMerchant(merchantScope(ctx.auth.getUserOrFail()), ctx.params.id)
    const patch = await ctx.request.validateUsing(updateMerchantValidator, {
      data: ctx.request.body(),
    })
    const changes = await updateMerchant(merchant, patch)
    if (hasChanges(changes)) {
      await recordAudit(
        ctx,
        'merchant.update',
        { type: 'merchant', id: merchant.id, merchantId: merchant.id },
        changes
      )
    }
    return ctx.serialize(MerchantTransformer.transform(merchant))
  }
}
