/*
 * Every HTTP route of the hub. `/api/v1` is the public API (POS intake with API
 * keys); `/api/v1/admin` is the console API (user login). Each route here must
 * also appear in the OpenAPI document (a test checks it).
 */
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import { intakeThrottle } from '#start/limiter'
import { controllers } from '#generated/controllers'

/** A single order is small; only the batch route may carry megabytes. */
const SINGLE_ORDER_MAX_BYTES = 64 * 1024

router.get('/health', [controllers.Health, 'show'])

router
  .group(() => {
    router.get('/openapi.json', [controllers.OpenApi, 'show'])

    // POS intake, authenticated by merchant API key.
    router
      .group(() => {
        router
          .post('/orders', [controllers.Orders, 'store'])
          .use([middleware.jsonBody({ maxBytes: SINGLE_ORDER_MAX_BYTES }), middleware.idempotent()])
        router
          .post('/orders/batch', [controllers.Orders, 'storeBatch'])
          .use([middleware.jsonBody(), middleware.idempotent()])
        router.get('/orders', [controllers.Orders, 'index'])
        router.get('/orders/:id', [controllers.Orders, 'show'])
        router
          .post('/orders/:id/cancel', [controllers.Orders, 'cancel'])
          .use([
            middleware.jsonBody({ maxBytes: SINGLE_ORDER_MAX_BYTES, optional: true }),
            middleware.idempotent(),
          ])
        router
          .post('/channels/:channel/orders', [controllers.ChannelOrders, 'store'])
          .use([middleware.jsonBody({ maxBytes: SINGLE_ORDER_MAX_BYTES }), middleware.idempotent()])
      })
      .use([middleware.apiKey(), intakeThrottle])
  })
  .prefix('/api/v1')

import '#start/routes/admin'
import '#start/routes/plugins'
import '#start/routes/rulesets'
import '#start/routes/dispatch'
