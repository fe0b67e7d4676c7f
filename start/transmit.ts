/*
 * Live events over SSE: who may listen to which channel. Channels are per merchant,
 * so a merchant user only ever receives its own orders and batches; staff may
 * listen to any merchant.
 *
 *   merchants/:merchantId/orders                 every status change of the merchant's orders
 *   merchants/:merchantId/batches/:batchId       progress of one batch (at most once a second)
 */
import transmit from '@adonisjs/transmit/services/main'
import type { HttpContext } from '@adonisjs/core/http'
import { middleware } from '#start/kernel'

transmit.registerRoutes((route) => {
  // The stream itself is keyed by an unguessable client id; subscribing needs a login.
  if (route.getPattern() !== '__transmit/events') route.use(middleware.auth())
})

function mayWatchMerchant(ctx: HttpContext, merchantId: string) {
  const user = ctx.auth.user
  if (!user) return false
  if (user.role === 'admin' || user.role === 'operator') return true
  return user.role === 'merchant' && String(user.merchantId) === merchantId
}

transmit.authorize<{ merchantId: string }>('merchants/:merchantId/orders', (ctx, { merchantId }) =>
  mayWatchMerchant(ctx, merchantId)
)

transmit.authorize<{ merchantId: string; batchId: string }>(
  'merchants/:merchantId/batches/:batchId',
  (ctx, { merchantId }) => mayWatchMerchant(ctx, merchantId)
)
