/*
 * Dispatch: following batches (POS and console), working orders with their
 * carriers (console). Documented in app/openapi/paths/dispatch.ts.
 */
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import { intakeThrottle } from '#start/limiter'
import { controllers } from '#generated/controllers'

const ADMIN_MAX_BYTES = 16 * 1024

router
  .get('/api/v1/batches/:id', [controllers.Batches, 'show'])
  .use([middleware.apiKey(), intakeThrottle])

router
  .group(() => {
    router.get('/orders/:id/timeline', [controllers.admin.OrderDispatch, 'timeline'])
    router.get('/orders/:id/cancel-fee', [controllers.admin.OrderDispatch, 'cancelFee'])
    router
      .post('/orders/:id/tip', [controllers.admin.OrderDispatch, 'tip'])
      .use([middleware.jsonBody({ maxBytes: ADMIN_MAX_BYTES }), middleware.idempotent()])
    router
      .post('/orders/:id/redispatch', [controllers.admin.OrderDispatch, 'redispatch'])
      .use([
        middleware.jsonBody({ maxBytes: ADMIN_MAX_BYTES, optional: true }),
        middleware.idempotent(),
      ])
    router.get('/exceptions', [controllers.admin.DispatchMonitor, 'exceptions'])
    router.get('/batches/:id', [controllers.admin.DispatchMonitor, 'batch'])
  })
  .prefix('/api/v1/admin')
  .where('id', router.matchers.number())
  .use(middleware.auth())
