import env from '#start/env'
import limiter from '@adonisjs/limiter/services/main'
import type { HttpContext } from '@adonisjs/core/http'

/*
 * Rate limits. Intake is limited per merchant (a runaway POS cannot starve the
 * others); login per account and address (slows password guessing).
 */
export const limits = {
  intakePerMinute: env.get('INTAKE_RATE_PER_MINUTE', 30_000),
  loginPerMinute: env.get('LOGIN_ATTEMPTS_PER_MINUTE', 10),
}

export const intakeThrottle = limiter.define('intake', (ctx: HttpContext) => {
  return limiter
    .allowRequests(limits.intakePerMinute)
    .every('1 minute')
    .usingKey(`merchant_${ctx.merchant?.id ?? ctx.request.ip()}`)
})

export const loginThrottle = limiter.define('login', (ctx: HttpContext) => {
  const email = String(ctx.request.input('email') ?? '')
    .toLowerCase()
    .slice(0, 254)
  return limiter
    .allowRequests(limits.loginPerMinute)
    .every('1 minute')
    .usingKey(`login_${ctx.request.ip()}_${email}`)
})
