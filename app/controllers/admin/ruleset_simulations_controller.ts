import type { HttpContext } from '@adonisjs/core/http'
import BacktestJobTransformer from '#transformers/backtest_job_transformer'
import { validateBacktestBody, validateDryRunBody } from '#validators/admin/ruleset_simulation'
import { findRuleset } from '#services/rulesets/ruleset_service'
import { dryRunRuleset } from '#services/rulesets/dry_run_service'
import {
  SYNC_BACKTEST_LIMIT,
  countBacktestRecords,
  planBacktest,
  runBacktest,
} from '#services/rulesets/backtest_service'
import { startBacktestJob } from '#services/rulesets/backtest_jobs'
import { merchantScope } from '#services/tenant_scope'

/** Dry runs and backtests: they evaluate rules and store nothing, so nothing is audited. */
export default class RulesetSimulationsController {
  async dryRun(ctx: HttpContext) {
    await ctx.bouncer.with('RulesetPolicy').authorize('dryRun')
    const scope = merchantScope(ctx.auth.getUserOrFail())
    const ruleset = await findRuleset(scope, ctx.params.id)
    const request = validateDryRunBody(ctx.request.body())
    return ctx.serialize(await dryRunRuleset(ruleset, request, scope))
  }

  /** 200 with the result, or 202 with a job to poll (`Location` names it). */
  async backtest(ctx: HttpContext) {
    await ctx.bouncer.with('RulesetPolicy').authorize('backtest')
    const ruleset = await findRuleset(merchantScope(ctx.auth.getUserOrFail()), ctx.params.id)
    const request = validateBacktestBody(ctx.request.body())
    const plan = await planBacktest(ruleset, request)
    const total = await countBacktestRecords(plan)

    if (request.async || total > SYNC_BACKTEST_LIMIT) {
      const job = startBacktestJob(plan, total, ctx.auth.user ?? null)
      ctx.response.status(202)
      ctx.response.header('location', `/api/v1/admin/rulesets/backtests/${job.id}`)
      return ctx.serialize(BacktestJobTransformer.transform(job))
    }
    return ctx.serialize(await runBacktest(plan, undefined, total))
  }
}
