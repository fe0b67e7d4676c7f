/**
 * The dispatcher's job queue. Two implementations share this contract: an
 * in-process queue (one hub process, no Redis) and BullMQ on Redis (several web
 * and worker processes). Delivery is at least once in both, so every handler
 * re-reads the database before acting.
 */
export type JobName = 'dispatch-order' | 'accept-timeout' | 'poll-status'

export interface JobData {
  orderId: number
  /** For accept-timeout: the attempt whose acceptance is awaited. */
  attemptNo?: number
}

export interface AddOptions {
  /** Run no earlier than this many milliseconds from now. */
  delayMs?: number
  /** A job with an id that is already queued is not added twice. */
  jobId?: string
}

export type JobHandler = (data: JobData) => Promise<void>

export interface JobQueue {
  readonly kind: 'in-process' | 'bullmq'
  add(name: JobName, data: JobData, options?: AddOptions): Promise<void>
  addBulk(jobs: { name: JobName; data: JobData; options?: AddOptions }[]): Promise<void>
  /** Removes a delayed job that is no longer needed (e.g. the timeout of an accepted attempt). */
  remove(jobId: string): Promise<void>
  /** Starts consuming; only worker processes call this. */
  process(handlers: Record<JobName, JobHandler>, options: { concurrency: number }): Promise<void>
  /** Jobs waiting or delayed (for progress and tests). */
  pending(): Promise<number>
  close(): Promise<void>
}

export function timeoutJobId(orderId: number, attemptNo: number) {
  return `accept-timeout-${orderId}-${attemptNo}`
}

export function dispatchJobId(orderId: number) {
  // BullMQ reserves ":" in ids.
  return `dispatch-${orderId}`
}
