import type { HttpContext } from '@adonisjs/core/http'
import BacktestJobTransformer from '#transformers/backtest_job_transformer'
import { findBacktestJob } from '#services/rulesets/backtest_jobs'

/** Polling a backtest job: progress while it runs, the result once it is done. */
export default class RulesetBacktestsController {
  async show(ctx: HttpContext) {
    await ctx.bouncer.with('RulesetPolicy').authorize('backtest')
    const job = findBacktestJob(ctx.params.jobId, ctx.auth.getUserOrFail())
    return ctx.serialize(BacktestJobTransformer.transform(job))
  }
}
