import { randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import logger from '@adonisjs/core/services/logger'
import ProblemException from '#exceptions/problem'
import type User from '#models/user'
import {
  runBacktest,
  type BacktestPlan,
  type BacktestResult,
} from '#services/rulesets/backtest_service'

/*
 * Long backtests run as in-process jobs: the request answers 202 with a job id
 * and the console polls GET /rulesets/backtests/:jobId for progress and, at the
 * end, the result. Jobs live in this process only (a restart forgets them, and
 * with several nodes the poll must reach the node that started the job), which is
 * enough for an admin tool; a queue-backed version can replace this module
 * without changing the API.
 */

export type BacktestJobStatus = 'running' | 'succeeded' | 'failed'

export interface BacktestJob {
  id: string
  status: BacktestJobStatus
  rulesetId: number | null
  ownerId: number | null
  processed: number
  total: number
  result: BacktestResult | null
  error: string | null
  createdAt: DateTime
  finishedAt: DateTime | null
}

/** Finished jobs are kept this long for the console to collect. */
const KEEP_FINISHED_MS = 60 * 60 * 1000
const MAX_RUNNING = 4
const MAX_KEPT = 200

const jobs = new Map<string, BacktestJob>()

function prune(now = Date.now()) {
  for (const [id, job] of jobs) {
    const finishedAt = job.finishedAt?.toMillis()
    if (finishedAt !== undefined && now - finishedAt > KEEP_FINISHED_MS) jobs.delete(id)
  }
  // Still too many: drop the oldest finished ones first (Map keeps insertion order).
  for (const [id, job] of jobs) {
    if (jobs.size <= MAX_KEPT) break
    if (job.status !== 'running') jobs.delete(id)
  }
}

export function startBacktestJob(plan: BacktestPlan, total: number, owner: User | null) {
  prune()
  const running = [...jobs.values()].filter((job) => job.status === 'running').length
  if (running >= MAX_RUNNING) {
    throw new ProblemException({
      status: 429,
      slug: 'too-many-backtests',
      title: 'Too many backtests',
      detail: `${running} backtests are already running; wait for one to finish`,
      headers: { 'retry-after': '30' },
    })
  }

  const job: BacktestJob = {
    id: randomUUID(),
    status: 'running',
    rulesetId: plan.rulesetId,
    ownerId: owner?.id ?? null,
    processed: 0,
    total,
    result: null,
    error: null,
    createdAt: DateTime.utc(),
    finishedAt: null,
  }
  jobs.set(job.id, job)

  runBacktest(
    plan,
    (processed, seen) => {
      job.processed = processed
      job.total = seen
    },
    total
  )
    .then((result) => {
      job.result = result
      job.status = 'succeeded'
    })
    .catch((error: Error) => {
      logger.error({ err: error, jobId: job.id }, 'backtest job failed')
      job.error = error.message
      job.status = 'failed'
    })
    .finally(() => {
      job.finishedAt = DateTime.utc()
    })
  return job
}

/** Admins see every job; anyone else only the jobs they started (others read as missing). */
export function findBacktestJob(id: string, viewer: User): BacktestJob {
  const job = jobs.get(id)
  if (!job || (viewer.role !== 'admin' && job.ownerId !== viewer.id)) {
    throw ProblemException.notFound(`Backtest job ${id}`)
  }
  return job
}
