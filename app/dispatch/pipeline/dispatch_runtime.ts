import db from '@adonisjs/lucid/services/db'
import { InFlightWork } from '#dispatch/in_flight_work'
import type { Logger } from '@adonisjs/core/logger'
import { dispatchConfig } from '#config/dispatch'
import { Dispatcher } from '#dispatch/pipeline/dispatcher'
import type { DispatchPorts } from '#dispatch/pipeline/ports'
import { InProcessQueue } from '#dispatch/queue/in_process_queue'
import { BullMqQueue } from '#dispatch/queue/bullmq_queue'
import { dispatchJobId, type JobData, type JobName, type JobQueue } from '#dispatch/queue/job_queue'
import { sqlTime } from '#dispatch/pipeline/order_transitions'
import { DateTime } from 'luxon'
import type { UnifiedStatus } from '#sdk/status'
import { dbTimeIso } from '#services/db_time'
import type { CarrierWebhookReceived } from '#services/plugins/webhook_intake_service'

/** Unmatched callbacks are retried this long, then closed. */
const UNMATCHED_GIVE_UP_MS = 10 * 60_000
/** How often stored but unapplied callbacks are retried. */
const WEBHOOK_RETRY_MS = 3000
/** How often a worker looks for deliveries whose carrier went quiet. */
const POLL_SWEEP_MS = 30_000

/** A carrier callback event as stored (the sweep also knows when it arrived). */
type StoredWebhookEvent = CarrierWebhookReceived['events'][number] & { receivedAt?: string }

/**
 * One per process: the job queue (in-process, or BullMQ when REDIS_URL is set)
 * and the dispatcher that consumes it. Web processes enqueue; worker processes
 * (or the single embedded process) also consume.
 */
export class DispatchRuntime {
  readonly queue: JobQueue
  readonly dispatcher: Dispatcher
  #pollTimer: NodeJS.Timeout | null = null
  #webhookTimer: NodeJS.Timeout | null = null
  #working = false
  /** Callback applications and sweeps under way, so stop() can let them finish. */
  #inFlight = new InFlightWork()
  /** Ids of applied callback events not yet marked processed (see #flushProcessed). */
  #processed: number[] = []
  #processedTimer: NodeJS.Timeout | null = null

  constructor(
    ports: DispatchPorts,
    private logger: Logger,
    nodeId: string
  ) {
    const onError = (error: unknown, job: { name: JobName; data: JobData }) =>
      this.logger.error(
        { err: error, job: job.name, orderId: job.data.orderId },
        'dispatch job failed'
      )
    this.queue = dispatchConfig.redisUrl
      ? new BullMqQueue(dispatchConfig.redisUrl, dispatchConfig.queueName, onError)
      : new InProcessQueue(onError)
    this.dispatcher = new Dispatcher(ports, this.queue, logger, {
      nodeId,
      maxAttempts: dispatchConfig.maxAttempts,
      reassignTipBumpFen: dispatchConfig.reassignTipBumpFen,
    })
  }

  get working() {
    return this.#working
  }

  /** Starts consuming jobs, then re-queues whatever a previous process left unfinished. */
  async startWorker() {
    if (this.#working) return
    this.#working = true
    await this.queue.process(
      {
        'dispatch-order': ({ orderId }) => this.dispatcher.dispatchOrder(orderId),
        'accept-timeout': ({ orderId, attemptNo }) =>
          this.dispatcher.acceptTimeout(orderId, attemptNo!),
        'poll-status': ({ orderId }) => this.dispatcher.pollStatus(orderId),
      },
      { concurrency: dispatchConfig.concurrency }
    )
    const recovered = await this.dispatcher.recover({ includeNew: dispatchConfig.onIntake })
    await this.#applyUnprocessedWebhooks()
    if (recovered.orders || recovered.timeouts)
      this.logger.info(recovered, 'resumed unfinished dispatch work')
    this.#pollTimer = setInterval(
      () => void this.#inFlight.track(this.#sweepSilentDeliveries()).catch(() => {}),
      POLL_SWEEP_MS
    )
    this.#pollTimer.unref()
    this.#webhookTimer = setInterval(
      () => void this.#inFlight.track(this.#applyUnprocessedWebhooks()).catch(() => {}),
      WEBHOOK_RETRY_MS
    )
    this.#webhookTimer.unref()
  }

  async enqueueOrders(orderIds: number[]) {
    await this.queue.addBulk(
      orderIds.map((orderId) => ({
        name: 'dispatch-order' as const,
        data: { orderId },
        options: { jobId: dispatchJobId(orderId) },
      }))
    )
  }

  /**
   * Applies stored carrier callbacks to their orders and marks them processed.
   * Events for a delivery the hub does not know yet (the callback outran the
   * carrier's answer to our create call) stay unprocessed and are retried by the
   * sweep; after UNMATCHED_GIVE_UP_MS they are closed as unmatched.
   */
  applyWebhookEvents(accountId: number, events: StoredWebhookEvent[]) {
    return this.#inFlight.track(this.#applyWebhookEvents(accountId, events))
  }

  async #applyWebhookEvents(accountId: number, events: StoredWebhookEvent[]) {
    const applied = await this.dispatcher.applyCarrierEvents(
      accountId,
      events.map((event) => ({ ...event, status: event.status as UnifiedStatus }))
    )
    const stale = Date.now() - UNMATCHED_GIVE_UP_MS
    for (const event of events) {
      if (
        applied.has(event.carrierOrderId) ||
        (event.receivedAt && Date.parse(event.receivedAt) < stale)
      ) {
        this.#processed.push(event.id)
      }
    }
    if (!this.#processedTimer && this.#processed.length > 0) {
      this.#processedTimer = setTimeout(
        () => void this.#inFlight.track(this.#flushProcessed()),
        100
      )
      this.#processedTimer.unref()
    }
  }

  /**
   * Marks applied callbacks processed, many per statement: one UPDATE (and commit) per
   * callback was a fifth of the database writes of a dispatched order. Applying is
   * idempotent, so a crash before the flush only makes the sweep apply them again.
   */
  async #flushProcessed() {
    this.#processedTimer = null
    const ids = this.#processed.splice(0)
    for (let i = 0; i < ids.length; i += 1000) {
      await db
        .from('carrier_webhook_events')
        .whereIn('id', ids.slice(i, i + 1000))
        .update({ processed_at: sqlTime() })
    }
  }

  /**
   * Stops the sweeps, lets the callback work under way finish (up to 10 s), then
   * closes the queue, which waits for running jobs: nothing is cut off by the
   * database pool closing after it at shutdown.
   */
  async stop() {
    if (this.#pollTimer) clearInterval(this.#pollTimer)
    if (this.#webhookTimer) clearInterval(this.#webhookTimer)
    await this.#inFlight.settle(10_000)
    if (this.#processedTimer) clearTimeout(this.#processedTimer)
    await this.#flushProcessed().catch(() => {})
    await this.queue.close()
  }

  /** Callbacks stored while no process was applying them (crash between store and apply). */
  async #applyUnprocessedWebhooks() {
    const rows = await db
      .from('carrier_webhook_events')
      .whereNull('processed_at')
      // Fresh events are being applied by the process that received them.
      .where('received_at', '<', sqlTime(DateTime.utc().minus({ seconds: 2 })))
      .orderBy('id')
      .limit(10_000)
      .select(
        'id',
        'carrier_account_id',
        'event_id',
        'carrier_order_id',
        'status',
        'carrier_status',
        'occurred_at',
        'received_at'
      )
    const byAccount = new Map<number, typeof rows>()
    for (const row of rows) {
      const list = byAccount.get(Number(row.carrier_account_id)) ?? []
      list.push(row)
      byAccount.set(Number(row.carrier_account_id), list)
    }
    for (const [accountId, list] of byAccount) {
      await this.applyWebhookEvents(
        accountId,
        list.map((row) => ({
          id: Number(row.id),
          eventId: row.event_id,
          carrierOrderId: row.carrier_order_id,
          status: row.status,
          carrierStatus: row.carrier_status,
          occurredAt: dbTimeIso(row.occurred_at),
          receivedAt: dbTimeIso(row.received_at),
        }))
      )
    }
  }

  /** The polling fallback: ask carriers about deliveries they have been silent on. */
  async #sweepSilentDeliveries() {
    const quietSince = sqlTime(DateTime.utc().minus({ seconds: dispatchConfig.statusPollAfterS }))
    const rows = await db
      .from('orders')
      .whereIn('status', ['accepted', 'arrived_at_store', 'picked_up', 'delivering'])
      .where('updated_at', '<', quietSince)
      .select('id')
      .limit(500)
    await this.queue.addBulk(
      rows.map((row) => ({ name: 'poll-status' as const, data: { orderId: Number(row.id) } }))
    )
  }
}
