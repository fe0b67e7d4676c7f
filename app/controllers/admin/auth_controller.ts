import type { HttpContext } from '@adonisjs/core/http'
import UserTransformer from '#transformers/user_transformer'
import { loginValidator } from '#validators/admin/auth'
import { logIn } from '#services/console_session_service'
import { recordAudit } from '#services/audit_service'

/** Console sessions: opaque access tokens from @adonisjs/auth. */
export default class AuthController {
  async login(ctx: HttpContext) {
    const { email, password } = await ctx.request.validateUsing(loginValidator, {
      data: ctx.request.body(),
    })
    const { user, token } = await logIn(email, password)
    await recordAudit(
      ctx,
      'auth.login',
      { type: 'user', id: user.id, merchantId: user.merchantId },
      null,
      user
    )
    return ctx.serialize({
      token: token.value!.release(),
      expires_at: token.expiresAt?.toISOString() ?? null,
      user: UserTransformer.transform(user),
    })
  }

  async logout(ctx: HttpContext) {
    const user = ctx.auth.getUserOrFail()
    await ctx.auth.use('api').invalidateToken()
    await recordAudit(ctx, 'auth.logout', {
      type: 'user',
      id: user.id,
      merchantId: user.merchantId,
    })
    return ctx.response.noContent()
  }

  async me(ctx: HttpContext) {
    return ctx.serialize(UserTransformer.transform(ctx.auth.getUserOrFail()))
  }
}
