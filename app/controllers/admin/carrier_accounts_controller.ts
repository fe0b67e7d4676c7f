import type { HttpContext } from '@adonisjs/core/http'
import type User from '#models/user'
import CarrierAccountTransformer from '#transformers/carrier_account_transformer'
import {
  carrierAccountListValidator,
  createCarrierAccountValidator,
  updateCarrierAccountValidator,
} from '#validators/admin/carrier_account'
import {
  createAccount,
  deleteAccount,
  findAccount,
  findAccountView,
  listAccounts,
  testAccount,
  updateAccount,
} from '#services/plugins/carrier_account_service'
import { recordAudit } from '#services/audit_service'
import { hasChanges } from '#services/audit_changes'

/** Staff see every account; merchant users only their merchant's (others read as 404). */
function accountScope(user: User): number | null {
  return user.role === 'merchant' ? (user.merchantId ?? -1) : null
}

/**
 * Carrier accounts: admins manage, operators and the merchant's own users read.
 * Secret settings go in, never out; the audit log only records that they changed.
 */
export default class CarrierAccountsController {
  async index(ctx: HttpContext) {
    await ctx.bouncer.with('CarrierAccountPolicy').authorize('view')
    const filters = await ctx.request.validateUsing(carrierAccountListValidator, {
      data: ctx.request.qs(),
    })
    const { rows, nextCursor, limit } = await listAccounts(
      accountScope(ctx.auth.getUserOrFail()),
      filters
    )
    return ctx.serialize(
      CarrierAccountTransformer.paginate(rows, { next_cursor: nextCursor, limit })
    )
  }

  async show(ctx: HttpContext) {
    await ctx.bouncer.with('CarrierAccountPolicy').authorize('view')
    const view = await findAccountView(accountScope(ctx.auth.getUserOrFail()), ctx.params.id)
    return ctx.serialize(CarrierAccountTransformer.transform(view))
  }

  async store(ctx: HttpContext) {
    await ctx.bouncer.with('CarrierAccountPolicy').authorize('manage')
    const input = await ctx.request.validateUsing(createCarrierAccountValidator, {
      data: ctx.request.body(),
    })
    const view = await createAccount(input)
    const { account } = view
    await recordAudit(
      ctx,
      'carrier_account.create',
      { type: 'carrier_account', id: account.id, merchantId: account.merchantId },
      {
        plugin_id: account.pluginId,
        name: account.name,
        merchant_id: account.merchantId,
        store_id: account.storeId,
        city: account.city,
        enabled: account.enabled,
        config: account.config,
        secrets: Object.fromEntries(view.setSecrets.map((field) => [field, true])),
      }
    )
    ctx.response.status(201)
    return ctx.serialize(CarrierAccountTransformer.transform(view))
  }

  async update(ctx: HttpContext) {
    await ctx.bouncer.with('CarrierAccountPolicy').authorize('manage')
    const account = await findAccount(null, ctx.params.id)
    const patch = await ctx.request.validateUsing(updateCarrierAccountValidator, {
      data: ctx.request.body(),
    })
    const { view, changes } = await updateAccount(account, patch)
    if (hasChanges(changes)) {
      await recordAudit(
        ctx,
        'carrier_account.update',
        { type: 'carrier_account', id: account.id, merchantId: account.merchantId },
        changes
      )
    }
    return ctx.serialize(CarrierAccountTransformer.transform(view))
  }

  /** Soft delete; the account's webhook events and order history stay. */
  async destroy(ctx: HttpContext) {
    await ctx.bouncer.with('CarrierAccountPolicy').authorize('manage')
    const account = await findAccount(null, ctx.params.id)
    await deleteAccount(account)
    await recordAudit(
      ctx,
      'carrier_account.delete',
      { type: 'carrier_account', id: account.id, merchantId: account.merchantId },
      { plugin_id: account.pluginId, name: account.name }
    )
    return ctx.response.noContent()
  }

  /** Connection test: a quote for a sample order, with the outcome and latency. */
  async test(ctx: HttpContext) {
    await ctx.bouncer.with('CarrierAccountPolicy').authorize('manage')
    const account = await findAccount(null, ctx.params.id)
    return ctx.serialize(await testAccount(account))
  }
}
