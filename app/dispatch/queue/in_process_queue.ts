import { InFlightWork } from '#dispatch/in_flight_work'
import type { AddOptions, JobData, JobHandler, JobName, JobQueue } from '#dispatch/queue/job_queue'

interface QueuedJob {
  id: string | undefined
  name: JobName
  data: JobData
}

/**
 * A queue inside the hub process: no Redis, nothing to run beside the hub. Jobs
 * live in memory, so a crash loses them; the dispatcher's recovery sweep rebuilds
 * them from the database at start (orders waiting for dispatch, attempts waiting
 * for acceptance), which is what makes this safe.
 */
export class InProcessQueue implements JobQueue {
  readonly kind = 'in-process' as const
  #ready: QueuedJob[] = []
  #delayed = new Map<string, NodeJS.Timeout>()
  #known = new Set<string>()
  #handlers: Record<JobName, JobHandler> | null = null
  #concurrency = 1
  #running = 0
  /** Jobs being handled, so close() can let them finish before the database goes. */
  #inFlight = new InFlightWork()
  #closed = false
  #anonymous = 0
  #onError: (error: unknown, job: { name: JobName; data: JobData }) => void

  constructor(onError: (error: unknown, job: { name: JobName; data: JobData }) => void = () => {}) {
    this.#onError = onError
  }

  async add(name: JobName, data: JobData, options: AddOptions = {}) {
    if (this.#closed) return
    const id = options.jobId
    if (id && this.#known.has(id)) return
    if (id) this.#known.add(id)
    const job = { id, name, data }
    if (options.delayMs && options.delayMs > 0) {
      const key = id ?? `anon:${++this.#anonymous}`
      const timer = setTimeout(() => {
        this.#delayed.delete(key)
        this.#enqueue(job)
      }, options.delayMs)
      timer.unref()
      this.#delayed.set(key, timer)
      return
    }
    this.#enqueue(job)
  }

  async addBulk(jobs: { name: JobName; data: JobData; options?: AddOptions }[]) {
    for (const job of jobs) await this.add(job.name, job.data, job.options)
  }

  async remove(jobId: string) {
    const timer = this.#delayed.get(jobId)
    if (timer) {
      clearTimeout(timer)
      this.#delayed.delete(jobId)
    }
    this.#ready = this.#ready.filter((job) => job.id !== jobId)
    this.#known.delete(jobId)
  }

  async process(handlers: Record<JobName, JobHandler>, options: { concurrency: number }) {
    this.#handlers = handlers
    this.#concurrency = Math.max(1, options.concurrency)
    this.#pump()
  }

  async pending() {
    return this.#ready.length + this.#delayed.size + this.#running
  }

  /**
   * Stops taking jobs and waits (up to `graceMs`) for the running ones: a job cut
   * off mid-way is safe (recovery redoes it) but its database calls would fail
   * noisily once the connection pool closes at shutdown.
   */
  async close(graceMs = 10_000) {
    this.#closed = true
    for (const timer of this.#delayed.values()) clearTimeout(timer)
    this.#delayed.clear()
    this.#ready = []
    await this.#inFlight.settle(graceMs)
  }

  #enqueue(job: QueuedJob) {
    this.#ready.push(job)
    this.#pump()
  }

  #pump() {
    if (!this.#handlers) return
    while (!this.#closed && this.#running < this.#concurrency && this.#ready.length > 0) {
      const job = this.#ready.shift()!
      this.#running += 1
      // A finished job may be queued again under the same id (e.g. a re-dispatch).
      if (job.id) this.#known.delete(job.id)
      this.#inFlight.track(
        this.#handlers
          [job.name](job.data)
          .catch((error) => this.#onError(error, job))
          .finally(() => {
            this.#running -= 1
            this.#pump()
          })
      )
    }
  }
}
