import { BaseTransformer } from '@adonisjs/core/transformers'
import type { BacktestJob } from '#services/rulesets/backtest_jobs'

/** A backtest job as the console polls it: progress while running, the result when done. */
export default class BacktestJobTransformer extends BaseTransformer<BacktestJob> {
  toObject() {
    const job = this.resource
    return {
      job_id: job.id,
      status: job.status,
      ruleset_id: job.rulesetId,
      progress: {
        processed: job.processed,
        total: job.total,
        percent: job.total ? Math.min(100, Math.floor((job.processed / job.total) * 100)) : 100,
      },
      result: job.result,
      error: job.error,
      created_at: job.createdAt.toISO(),
      finished_at: job.finishedAt?.toISO() ?? null,
    }
  }
}
