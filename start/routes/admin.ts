/*
 * Console API under /api/v1/admin, for people logged in with an access token.
 * What each role may do is in app/policies; which merchant's rows they see is the
 * tenant scope in the services. Every route here is documented in
 * app/openapi/paths/admin.ts.
 */
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import { loginThrottle } from '#start/limiter'
import { controllers } from '#generated/controllers'

/** Console bodies are a few fields; nothing here needs more. */
const ADMIN_MAX_BYTES = 16 * 1024

/** Writes take JSON; an Idempotency-Key makes retries safe (scoped to the user). */
const write = () => [middleware.jsonBody({ maxBytes: ADMIN_MAX_BYTES }), middleware.idempotent()]

/** Actions whose body is optional (cancel reason) or empty (revoke, logout). */
const action = () => [
  middleware.jsonBody({ maxBytes: ADMIN_MAX_BYTES, optional: true }),
  middleware.idempotent(),
]

router
  .group(() => {
    // No Idempotency-Key here: replaying a login would store a live access token
    // in the idempotency table.
    router
      .post('/auth/login', [controllers.admin.Auth, 'login'])
      .use([loginThrottle, middleware.jsonBody({ maxBytes: ADMIN_MAX_BYTES })])

    router
      .group(() => {
        router.post('/auth/logout', [controllers.admin.Auth, 'logout']).use(action())
        router.get('/me', [controllers.admin.Auth, 'me'])

        router.get('/merchants', [controllers.admin.Merchants, 'index'])
        router.post('/merchants', [controllers.admin.Merchants, 'store']).use(write())
        router.get('/merchants/:id', [controllers.admin.Merchants, 'show'])
        router.patch('/merchants/:id', [controllers.admin.Merchants, 'update']).use(write())

        router.get('/merchants/:merchantId/stores', [controllers.admin.Stores, 'index'])
        router
          .post('/merchants/:merchantId/stores', [controllers.admin.Stores, 'store'])
          .use(write())
        router.get('/stores/:id', [controllers.admin.Stores, 'show'])
        router.patch('/stores/:id', [controllers.admin.Stores, 'update']).use(write())

        router.get('/merchants/:merchantId/api-keys', [controllers.admin.ApiKeys, 'index'])
        // No Idempotency-Key: a replay would have to keep the plaintext secret in the
        // database. A retried create makes a second key, which can simply be revoked.
        router
          .post('/merchants/:merchantId/api-keys', [controllers.admin.ApiKeys, 'store'])
          .use(middleware.jsonBody({ maxBytes: ADMIN_MAX_BYTES }))
        router.post('/api-keys/:id/revoke', [controllers.admin.ApiKeys, 'revoke']).use(action())

        router.get('/users', [controllers.admin.Users, 'index'])
        router.post('/users', [controllers.admin.Users, 'store']).use(write())
        router.get('/users/:id', [controllers.admin.Users, 'show'])
        router.patch('/users/:id', [controllers.admin.Users, 'update']).use(write())
        router.delete('/users/:id', [controllers.admin.Users, 'destroy'])

        router.get('/orders', [controllers.admin.Orders, 'index'])
        router.get('/orders/:id', [controllers.admin.Orders, 'show'])
        router.post('/orders/:id/cancel', [controllers.admin.Orders, 'cancel']).use(action())

        router.get('/audit-logs', [controllers.admin.AuditLogs, 'index'])
      })
      .use(middleware.auth())
  })
  .prefix('/api/v1/admin')
  .as('admin')
  // Ids are integers: anything else is a 404 from the router and reaches no query.
  .where('id', router.matchers.number())
  .where('merchantId', router.matchers.number())
