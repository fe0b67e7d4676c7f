import type { HttpContext } from '@adonisjs/core/http'
import UserTransformer from '#transformers/user_transformer'
import { createUserValidator, updateUserValidator, userListValidator } from '#validators/admin/user'
import { createUser, deleteUser, findUser, listUsers, updateUser } from '#services/user_service'
import { recordAudit } from '#services/audit_service'
import { hasChanges } from '#services/audit_changes'

/** Console accounts (admins only). Passwords never reach a response or the audit log. */
export default class UsersController {
  async index(ctx: HttpContext) {
    await ctx.bouncer.with('UserPolicy').authorize('view')
    const filters = await ctx.request.validateUsing(userListValidator, { data: ctx.request.qs() })
    const { rows, nextCursor, limit } = await listUsers(filters)
    return ctx.serialize(UserTransformer.paginate(rows, { next_cursor: nextCursor, limit }))
  }

  async show(ctx: HttpContext) {
    await ctx.bouncer.with('UserPolicy').authorize('view')
    return ctx.serialize(UserTransformer.transform(await findUser(ctx.params.id)))
  }

  async store(ctx: HttpContext) {
    await ctx.bouncer.with('UserPolicy').authorize('create')
    const input = await ctx.request.validateUsing(createUserValidator, {
      data: ctx.request.body(),
    })
    const user = await createUser(input)
    await recordAudit(
      ctx,
      'user.create',
      { type: 'user', id: user.id, merchantId: user.merchantId },
      { email: user.email, full_name: user.fullName, role: user.role, merchant_id: user.merchantId }
    )
    ctx.response.status(201)
    return ctx.serialize(UserTransformer.transform(user))
  }

  async update(ctx: HttpContext) {
    await ctx.bouncer.with('UserPolicy').authorize('update')
    const user = await findUser(ctx.params.id)
    const patch = await ctx.request.validateUsing(updateUserValidator, {
      data: ctx.request.body(),
      meta: { currentRole: user.role },
    })
    const changes = await updateUser(ctx.auth.getUserOrFail(), user, patch)
    if (hasChanges(changes)) {
      await recordAudit(
        ctx,
        'user.update',
        { type: 'user', id: user.id, merchantId: user.merchantId },
        changes
      )
    }
    return ctx.serialize(UserTransformer.transform(user))
  }

  async destroy(ctx: HttpContext) {
    await ctx.bouncer.with('UserPolicy').authorize('delete')
    const user = await findUser(ctx.params.id)
    await deleteUser(ctx.auth.getUserOrFail(), user)
    await recordAudit(
      ctx,
      'user.delete',
      { type: 'user', id: user.id, merchantId: user.merchantId },
      { email: user.email, role: user.role }
    )
    return ctx.response.noContent()
  }
}
