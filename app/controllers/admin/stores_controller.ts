import type { HttpContext } from '@adonisjs/core/http'
import StoreTransformer from '#transformers/store_transformer'
import {
  createStoreValidator,
  storeListValidator,
  updateStoreValidator,
} from '#validators/admin/store'
import { createStore, findStore, listStores, updateStore } from '#services/store_service'
import { findMerchant } from '#services/merchant_service'
import { merchantScope } from '#services/tenant_scope'
import { recordAudit } from '#services/audit_service'
import { hasChanges } from '#services/audit_changes'

/** Checks run role (403) → tenant-scoped lookup (404) → body (422), as for merchants. */
export default class StoresController {
  async index(ctx: HttpContext) {
    await ctx.bouncer.with('StorePolicy').authorize('view')
    const scope = merchantScope(ctx.auth.getUserOrFail())
    const merchant = await findMerchant(scope, ctx.params.merchantId)
    const page = await ctx.request.validateUsing(storeListValidator, { data: ctx.request.qs() })
    const { rows, nextCursor, limit } = await listStores(merchant.id, page)
    return ctx.serialize(StoreTransformer.paginate(rows, { next_cursor: nextCursor, limit }))
  }

  async store(ctx: HttpContext) {
    await ctx.bouncer.with('StorePolicy').authorize('create')
    const scope = merchantScope(ctx.auth.getUserOrFail())
    const merchant = await findMerchant(scope, ctx.params.merchantId)
    const input = await ctx.request.validateUsing(createStoreValidator, {
      data: ctx.request.body(),
    })
    const store = await createStore(merchant.id, input)
    await recordAudit(
      ctx,
      'store.create',
      { type: 'store', id: store.id, merchantId: store.merchantId },
      input
    )
    ctx.response.status(201)
    return ctx.serialize(StoreTransformer.transform(store))
  }

  async show(ctx: HttpContext) {
    await ctx.bouncer.with('StorePolicy').authorize('view')
    const store = await findStore(merchantScope(ctx.auth.getUserOrFail()), ctx.params.id)
    return ctx.serialize(StoreTransformer.transform(store))
  }

  async update(ctx: HttpContext) {
    await ctx.bouncer.with('StorePolicy').authorize('update')
    const store = await findStore(merchantScope(ctx.auth.getUserOrFail()), ctx.params.id)
    const patch = await ctx.request.validateUsing(updateStoreValidator, {
      data: ctx.request.body(),
    })
    const changes = await updateStore(store, patch)
    if (hasChanges(changes)) {
      await recordAudit(
        ctx,
        'store.update',
        { type: 'store', id: store.id, merchantId: store.merchantId },
        changes
      )
    }
    return ctx.serialize(StoreTransformer.transform(store))
  }
}
