import { Queue, Worker, type ConnectionOptions } from 'bullmq'
import type { AddOptions, JobData, JobHandler, JobName, JobQueue } from '#dispatch/queue/job_queue'

/** One queue per deployment; DISPATCH_QUEUE separates several hubs sharing a Redis. */
const DEFAULT_QUEUE_NAME = 'hub-dispatch'

/**
 * BullMQ on Redis: web processes add jobs, any number of worker processes run
 * them. Completed jobs are dropped so a job id can be used again (a re-dispatch
 * of the same order); failed jobs are retried with backoff.
 */
export class BullMqQueue implements JobQueue {
  readonly kind = 'bullmq' as const
  #queue: Queue
  #worker: Worker | null = null
  #connection: ConnectionOptions

  constructor(
    redisUrl: string,
    private queueName: string = DEFAULT_QUEUE_NAME,
    private onError: (error: unknown, job: { name: JobName; data: JobData }) => void = () => {}
  ) {
    const url = new URL(redisUrl)
    this.#connection = {
      host: url.hostname,
      port: Number(url.port || 6379),
      password: url.password || undefined,
      db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
      maxRetriesPerRequest: null,
    }
    this.#queue = new Queue(this.queueName, {
      connection: this.#connection,
      defaultJobOptions: {
        removeOnComplete: true,
        removeOnFail: 1000,
        attempts: 5,
        backoff: { type: 'exponential', delay: 500 },
      },
    })
  }

  async add(name: JobName, data: JobData, options: AddOptions = {}) {
    await this.#queue.add(name, data, { delay: options.delayMs, jobId: options.jobId })
  }

  async addBulk(jobs: { name: JobName; data: JobData; options?: AddOptions }[]) {
    for (let i = 0; i < jobs.length; i += 1000) {
      await this.#queue.addBulk(
        jobs.slice(i, i + 1000).map((job) => ({
          name: job.name,
          data: job.data,
          opts: { delay: job.options?.delayMs, jobId: job.options?.jobId },
        }))
      )
    }
  }

  async remove(jobId: string) {
    const job = await this.#queue.getJob(jobId)
    // An active job cannot be removed; its handler re-checks the database anyway.
    if (job && !(await job.isActive())) await job.remove()
  }

  async process(handlers: Record<JobName, JobHandler>, options: { concurrency: number }) {
    this.#worker = new Worker(
      this.queueName,
      async (job) => {
        try {
          await handlers[job.name as JobName](job.data as JobData)
        } catch (error) {
          this.onError(error, { name: job.name as JobName, data: job.data as JobData })
          throw error
        }
      },
      { connection: this.#connection, concurrency: options.concurrency }
    )
  }

  async pending() {
    const counts = await this.#queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized')
    return Object.values(counts).reduce((sum, n) => sum + n, 0)
  }

  async close() {
    await this.#worker?.close()
    await this.#queue.close()
  }
}
