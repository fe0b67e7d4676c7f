/*
 * Dispatch rules in the console API, under /api/v1/admin/rulesets. Who may do
 * what is app/policies/ruleset_policy.ts; every route is documented in
 * app/openapi/paths/rulesets.ts.
 */
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import { controllers } from '#generated/controllers'

/** Publish, rollback and create bodies are a few fields. */
const SMALL_BODY_BYTES = 16 * 1024
/** A dry run carries inline facts and up to 50 quotes. */
const SIMULATION_BODY_BYTES = 256 * 1024

/** Creating and publishing make new rows: an Idempotency-Key makes retries safe. */
const write = () => [middleware.jsonBody({ maxBytes: SMALL_BODY_BYTES }), middleware.idempotent()]
const optionalWrite = () => [
  middleware.jsonBody({ maxBytes: SMALL_BODY_BYTES, optional: true }),
  middleware.idempotent(),
]

router
  .group(() => {
    // Fixed segments first: `catalog` and `backtests` are not ruleset ids.
    router.get('/rulesets/catalog', [controllers.admin.Rulesets, 'catalog'])
    router.get('/rulesets/backtests/:jobId', [controllers.admin.RulesetBacktests, 'show'])

    router.get('/rulesets', [controllers.admin.Rulesets, 'index'])
    router.post('/rulesets', [controllers.admin.Rulesets, 'store']).use(write())
    router.get('/rulesets/:id', [controllers.admin.Rulesets, 'show'])
    // The draft and validate bodies are the document itself, as JSON or as the
    // editor's text/plain; the controller reads and caps them (1 MB).
    router.put('/rulesets/:id/draft', [controllers.admin.Rulesets, 'updateDraft'])
    router.post('/rulesets/:id/validate', [controllers.admin.Rulesets, 'validate'])
    router
      .post('/rulesets/:id/publish', [controllers.admin.Rulesets, 'publish'])
      .use(optionalWrite())
    router.post('/rulesets/:id/rollback', [controllers.admin.Rulesets, 'rollback']).use(write())
    router.get('/rulesets/:id/diff', [controllers.admin.Rulesets, 'diff'])

    router.get('/rulesets/:id/versions', [controllers.admin.RulesetVersions, 'index'])
    router.get('/rulesets/:id/versions/:version', [controllers.admin.RulesetVersions, 'show'])

    router
      .post('/rulesets/:id/dry-run', [controllers.admin.RulesetSimulations, 'dryRun'])
      .use(middleware.jsonBody({ maxBytes: SIMULATION_BODY_BYTES }))
    router
      .post('/rulesets/:id/backtest', [controllers.admin.RulesetSimulations, 'backtest'])
      .use(middleware.jsonBody({ maxBytes: SMALL_BODY_BYTES }))
  })
  .use(middleware.auth())
  .prefix('/api/v1/admin')
  .as('admin')
  .where('id', router.matchers.number())
  .where('version', router.matchers.number())
