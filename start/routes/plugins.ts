/*
 * Carrier plugins, carrier accounts (console API) and carrier callbacks. Every
 * route here is documented in app/openapi/paths/plugins.ts.
 */
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import { controllers } from '#generated/controllers'

/** Account bodies are a name and a handful of settings (PEM keys included). */
const ACCOUNT_MAX_BYTES = 64 * 1024
const ACTION_MAX_BYTES = 16 * 1024

const write = () => [middleware.jsonBody({ maxBytes: ACCOUNT_MAX_BYTES }), middleware.idempotent()]
const action = () => [
  middleware.jsonBody({ maxBytes: ACTION_MAX_BYTES, optional: true }),
  middleware.idempotent(),
]

router
  .group(() => {
    router.get('/plugins', [controllers.admin.Plugins, 'index'])
    // Multipart upload: no Idempotency-Key (the same version twice is a 409 anyway).
    router.post('/plugins', [controllers.admin.Plugins, 'store'])
    router.get('/plugins/:id', [controllers.admin.Plugins, 'show'])
    router.get('/plugins/:id/config-schema', [controllers.admin.Plugins, 'configSchema'])
    router.post('/plugins/:id/disable', [controllers.admin.Plugins, 'disable']).use(action())
    router.post('/plugins/:id/enable', [controllers.admin.Plugins, 'enable']).use(action())
    router
      .post('/plugins/:id/rollback', [controllers.admin.Plugins, 'rollback'])
      .use([middleware.jsonBody({ maxBytes: ACTION_MAX_BYTES }), middleware.idempotent()])
    router.delete('/plugins/:id', [controllers.admin.Plugins, 'destroy'])
  })
  .prefix('/api/v1/admin')
  .as('admin')
  // Path ids are matched loosely (a leading digit routes, then reads as 404); what a
  // manifest may use as id is the stricter PLUGIN_ID_PATTERN.
  .where('id', { match: /^[a-z0-9][a-z0-9_-]{0,63}$/ })
  .use(middleware.auth())

router
  .group(() => {
    router.get('/carrier-accounts', [controllers.admin.CarrierAccounts, 'index'])
    router.post('/carrier-accounts', [controllers.admin.CarrierAccounts, 'store']).use(write())
    router.get('/carrier-accounts/:id', [controllers.admin.CarrierAccounts, 'show'])
    router
      .patch('/carrier-accounts/:id', [controllers.admin.CarrierAccounts, 'update'])
      .use(write())
    router.delete('/carrier-accounts/:id', [controllers.admin.CarrierAccounts, 'destroy'])
    router
      .post('/carrier-accounts/:id/test', [controllers.admin.CarrierAccounts, 'test'])
      .use(action())
  })
  .prefix('/api/v1/admin')
  .as('admin')
  .where('id', router.matchers.number())
  .use(middleware.auth())

// The carrier's signature (checked by its plugin) is the authentication here.
router
  .post('/api/v1/webhooks/:account', [controllers.Webhooks, 'receive'])
  .where('account', router.matchers.number())
