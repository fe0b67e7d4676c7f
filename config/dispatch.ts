import env from '#start/env'

/**
 * Dispatch settings. Mutable on purpose: tests switch automatic dispatch on for
 * the cases that exercise it.
 */
export const dispatchConfig = {
  /** New orders go to carriers at once (false: an operator or the API starts dispatch). */
  onIntake: env.get('DISPATCH_ON_INTAKE', true),
  /** Orders one process works on at the same time. */
  concurrency: env.get('DISPATCH_CONCURRENCY', 64),
  /** This process consumes dispatch jobs (false on web-only nodes beside workers). */
  worker: env.get('DISPATCH_WORKER', true),
  maxAttempts: env.get('DISPATCH_MAX_ATTEMPTS', 6),
  /** How long a worker holds an order; a crashed worker's orders free up after it. */
  leaseS: env.get('DISPATCH_LEASE_S', 60),
  reassignTipBumpFen: env.get('REASSIGN_TIP_BUMP_FEN', 0),
  /** Poll a carrier when it has been silent this long about a live delivery. */
  statusPollAfterS: env.get('STATUS_POLL_AFTER_S', 300),
  redisUrl: env.get('REDIS_URL') ?? null,
  /** BullMQ queue name: separates hubs (or test runs) that share one Redis. */
  queueName: env.get('DISPATCH_QUEUE', 'hub-dispatch'),
}
