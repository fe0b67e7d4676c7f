import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { Logger } from '@adonisjs/core/logger'
import type { NormalizedEvent, QuoteResult, StatusEvent } from '#sdk/contract'
import { buildTimeFact } from '#dispatch/decision/time_fact'
import { decide } from '#dispatch/decision/decide'
import type { Decision, OrderFacts, QuoteInput } from '#dispatch/types'
import type { JobQueue } from '#dispatch/queue/job_queue'
import { dispatchJobId, timeoutJobId } from '#dispatch/queue/job_queue'
import type { CarrierAccountRef, DispatchPorts } from '#dispatch/pipeline/ports'
import { acquireLease, releaseLease } from '#dispatch/pipeline/lease'
import {
  moveOrder,
  recordOrderEvent,
  sqlTime,
  type OrderRowForMove,
  type TimelineEntry,
} from '#dispatch/pipeline/order_transitions'
import {
  hubOrder,
  merchantFact,
  orderFact,
  storeFact,
  type OrderRecord,
} from '#dispatch/pipeline/order_facts'
import { isTerminal, rankOf } from '#dispatch/pipeline/status_machine'
import type { OrderStatus } from '#services/order_status'
import { dbTimeIso, dbTimeMillis } from '#services/db_time'
import { CarrierError } from '#sdk/errors'

export interface DispatcherOptions {
  /** Identifies this process in leases (hostname:pid). */
  nodeId: string
  /** Added to the tip each time an order is reassigned after a no-accept timeout. */
  reassignTipBumpFen: number
  /** Give up after this many attempts even if candidates remain. */
  maxAttempts: number
}

type AttemptRow = {
  id: number
  order_id: number
  attempt_no: number
  round: number
  carrier_account_id: number
  plugin_id: string
  carrier_order_id: string | null
  state: string
  fee_fen: number
  tip_fen: number
  quote_token: string | null
  quote_expires_at: unknown
  pickup_eta_s: number | null
  dropoff_eta_s: number | null
  accept_timeout_s: number
}

/** An attempt read for a carrier event, with its order's status (see applyCarrierEvents). */
type EventAttemptRow = AttemptRow & {
  order_status: string
  order_merchant_id: number
  order_batch_id: number | null
  newer_live: number | string
}

/** Waits before re-sending a create whose outcome is unknown (same idempotency key). */
const CREATE_RETRY_DELAYS_MS = [500, 1500, 4000]

/** How soon an attempt the carrier would neither cancel nor explain is looked at again. */
const UNCERTAIN_RETRY_MS = 15_000

/** How soon a job that found its order leased looks again. */
const LEASE_RETRY_MS = 3000

/** Attempt states in which the carrier may still hold the delivery. */
const LIVE_ATTEMPT_STATES = ['creating', 'awaiting_accept', 'accepted']

/** The carrier gave the delivery up (no rider, rider cancelled, failure). */
const isDropped = (event: StatusEvent) => event.status === 'cancelled' || event.status === 'failed'

/** The carrier has a rider on it (accepted or further along). */
const isTakenBy = (event: StatusEvent) =>
  rankOf(event.status) >= rankOf('accepted') && !isDropped(event)

function affected(result: unknown) {
  return Number(Array.isArray(result) ? result[0] : result)
}

/**
 * The dispatch pipeline for one order: quote every eligible carrier in parallel,
 * let the published rules rank them, send to the winner, wait for acceptance, and
 * reassign on timeout, rejection or error until a carrier accepts or none is left.
 *
 * Every step re-reads the database (jobs arrive at least once), holds the order's
 * lease while it talks to carriers, and relies on the unique (order_id,
 * attempt_no) index so an attempt can never be sent twice.
 */
export class Dispatcher {
  constructor(
    private ports: DispatchPorts,
    private queue: JobQueue,
    private logger: Logger,
    private options: DispatcherOptions
  ) {}

  /** Job `dispatch-order`: a new order, or one whose previous carrier gave up. */
  async dispatchOrder(orderId: number) {
    const owner = this.options.nodeId
    if (!(await acquireLease(orderId, owner, ['created', 'quoting']))) {
      // Held by another worker, or by one that died: look again once its lease may
      // have run out. Orders no longer waiting for dispatch need nothing.
      const row = await db.from('orders').select('status').where('id', orderId).first()
      if (row && ['created', 'quoting'].includes(row.status)) {
        await this.queue.add(
          'dispatch-order',
          { orderId },
          { delayMs: LEASE_RETRY_MS, jobId: `${dispatchJobId(orderId)}-r${Date.now()}` }
        )
      }
      return
    }
    try {
      // One read of the order's attempts serves the crash-repair checks and the
      // quote round (a new order has none).
      let attempts = await this.#attemptsOf(orderId)
      const stuck = attempts.find((attempt) => attempt.state === 'creating')
      if (stuck) {
        await this.#resumeCreatingAttempt(stuck)
        attempts = await this.#attemptsOf(orderId)
      }
      if (await this.#repairSentAttempt(attempts)) return
      const order = await this.#loadOrder(orderId)
      if (!order || !['created', 'quoting'].includes(order.status)) return
      await moveOrder(orderId, 'quoting', { source: 'dispatcher', known: order })
      await this.#quoteDecideSend(order, attempts)
    } finally {
      await releaseLease(orderId, owner)
    }
  }

  /** Job `accept-timeout`: nobody accepted in time → cancel and try the next carrier. */
  async acceptTimeout(orderId: number, attemptNo: number) {
    const attempt = await this.#attempt(orderId, attemptNo)
    if (!attempt || attempt.state !== 'awaiting_accept') return
    const owner = this.options.nodeId
    if (!(await acquireLease(orderId, owner, ['dispatching']))) {
      // Someone else holds the order right now; look again shortly.
      await this.queue.add('accept-timeout', { orderId, attemptNo }, { delayMs: 2000 })
      return
    }
    try {
      const fresh = await this.#attempt(orderId, attemptNo)
      if (!fresh || fresh.state !== 'awaiting_accept') return
      // Under load an acceptance can wait in the carrier's callback queue, or in ours,
      // past the timeout. Cancelling then would drop a rider already on the way (and
      // cost a fee): ask first, and keep a delivery the carrier holds.
      if (await this.#acceptedMeanwhile(fresh)) return
      const letGo = await this.#abandonAttempt(fresh, 'timed_out', 'no rider accepted in time')
      if (!letGo) {
        // The carrier would not cancel: it may well have a rider on the way and its
        // callbacks got lost. Ask it, and never hand the order to a second carrier
        // while the first may still deliver it.
        const dropped = await this.#adoptCarrierStatus(fresh)
        if (!dropped) return
      }
      await this.#reassign(orderId, attemptNo, this.options.reassignTipBumpFen)
    } finally {
      await releaseLease(orderId, owner)
    }
  }

  /**
   * Carrier status events (from a verified webhook or from polling). Only events of
   * the order's current attempt move the order; the status machine ignores
   * duplicates, late and out-of-order events.
   */
  async applyCarrierEvents(
    accountId: number,
    events: (NormalizedEvent | (StatusEvent & { carrierOrderId: string }))[]
  ): Promise<Set<string>> {
    // Events whose delivery we know; a callback can outrun the carrier's answer to
    // our create call, and is then retried later (see DispatchRuntime).
    const applied = new Set<string>()
    for (const event of [...events].sort((a, b) => rankOf(a.status) - rankOf(b.status))) {
      // One read per event (after the previous event's move committed): the attempt,
      // its order's status, and whether a later attempt superseded it.
      const attempt: EventAttemptRow | undefined = await db
        .from('dispatch_attempts as a')
        .join('orders as o', 'o.id', 'a.order_id')
        .where('a.carrier_account_id', accountId)
        .where('a.carrier_order_id', event.carrierOrderId)
        .orderBy('a.id', 'desc')
        .select(
          'a.*',
          'o.status as order_status',
          'o.merchant_id as order_merchant_id',
          'o.batch_id as order_batch_id',
          db.raw(
            `(select count(*) from dispatch_attempts n where n.order_id = a.order_id and n.attempt_no > a.attempt_no and n.state in (${LIVE_ATTEMPT_STATES.map(() => '?').join(', ')})) as newer_live`,
            LIVE_ATTEMPT_STATES
          )
        )
        .first()
      if (!attempt) continue
      applied.add(event.carrierOrderId)
      // Every raw carrier event lands in the timeline, whether it moves the order or not.
      const raw: TimelineEntry = {
        kind: 'carrier_event',
        source: `carrier:${attempt.plugin_id}`,
        detail: {
          carrier_status: event.carrierStatus,
          status: event.status,
          occurred_at: event.occurredAt,
          rider: event.rider ?? null,
          note: event.note ?? null,
        },
        attemptNo: attempt.attempt_no,
      }
      await this.#applyToAttempt(attempt, event, raw)
    }
    return applied
  }

  /** Operator or merchant cancel: cancel at the carrier (paying its fee), then the order. */
  async cancel(orderId: number, reason: string | null, source: string) {
    const told = reason ?? `cancelled by ${source}`
    const attempt = await this.#liveAttempt(orderId)
    let feeFen = 0
    if (attempt?.carrier_order_id) {
      const result = await this.ports.carriers.cancel(
        attempt.carrier_account_id,
        this.#ref(attempt),
        told
      )
      feeFen = result?.feeFen ?? 0
      await this.#endAttempt(attempt, 'cancelled', told, { cancel_fee_fen: feeFen })
      await this.queue.remove(timeoutJobId(orderId, attempt.attempt_no))
    }
    const moved = await moveOrder(orderId, 'cancelled', {
      source,
      attemptNo: attempt?.attempt_no,
      detail: { reason, cancel_fee_fen: feeFen },
      columns: { cancel_reason: reason, cancelled_at: sqlTime() },
    })
    return { cancelled: moved, feeFen }
  }

  /** What cancelling now would cost (0 when no carrier holds the order yet). */
  async cancelFeePreview(orderId: number) {
    const attempt = await this.#liveAttempt(orderId)
    if (!attempt?.carrier_order_id) return { feeFen: 0, carrier: null }
    const { feeFen } = await this.ports.carriers.preCancel(
      attempt.carrier_account_id,
      this.#ref(attempt)
    )
    return { feeFen, carrier: attempt.plugin_id }
  }

  async addTip(orderId: number, amountFen: number, source: string) {
    const attempt = await this.#liveAttempt(orderId)
    if (attempt?.carrier_order_id) {
      await this.ports.carriers.addTip(attempt.carrier_account_id, this.#ref(attempt), amountFen)
      await db.from('dispatch_attempts').where('id', attempt.id).increment('tip_fen', amountFen)
    }
    await db.from('orders').where('id', orderId).increment('tip_fen', amountFen)
    await recordOrderEvent(orderId, 'operator', source, { action: 'tip', amount_fen: amountFen })
  }

  /** Operator re-dispatch: drop the current carrier (if any) and start over. */
  async redispatch(orderId: number, source: string) {
    const attempt = await this.#liveAttempt(orderId)
    if (attempt) {
      // A carrier that will not let go may still deliver: no second carrier then.
      if (!(await this.#abandonAttempt(attempt, 'cancelled', `re-dispatched by ${source}`))) {
        return false
      }
      await this.queue.remove(timeoutJobId(orderId, attempt.attempt_no))
    }
    const order = await db.from('orders').select('status').where('id', orderId).first()
    if (!order) return false
    await db.from('orders').where('id', orderId).increment('dispatch_round', 1)
    if (order.status === 'failed') {
      // A failed order gets a fresh round: back to created, with the history kept.
      await db
        .from('orders')
        .where('id', orderId)
        .where('status', 'failed')
        .update({ status: 'created', failure_reason: null })
      await recordOrderEvent(orderId, 'operator', source, {
        action: 'redispatch',
        from_status: 'failed',
      })
    } else if (!(await moveOrder(orderId, 'quoting', { source, reassign: true }))) {
      if (!['created', 'quoting'].includes(order.status)) return false
    }
    await this.queue.add('dispatch-order', { orderId }, { jobId: dispatchJobId(orderId) })
    return true
  }

  /**
   * Live quotes for a rules dry run: every eligible account of the order's
   * merchant quotes it now, exactly as dispatch would ask. A stored order is quoted
   * as stored; inline facts become an order at the facts' coordinates.
   */
  async quoteForFacts(facts: OrderFacts): Promise<QuoteInput[]> {
    const stored = facts.order.id ? await this.#loadOrder(facts.order.id) : undefined
    const store = await db.from('stores').where('id', facts.store.id).first()
    if (!store) return []
    const payload: ReturnType<typeof hubOrder> = stored
      ? hubOrder(stored, stored.tip_fen)
      : {
          id: `dry-run-${Date.now()}`,
          external_id: facts.order.external_id || 'dry-run',
          store: {
            name: store.name,
            address: store.address,
            city: store.city,
            lat: Number(store.lat),
            lng: Number(store.lng),
            contact_name: store.contact_name,
            contact_phone: store.contact_phone,
          },
          recipient: {
            name: 'dry run',
            phone: '13800000000',
            address: facts.order.recipient.city,
            city: facts.order.recipient.city,
            lat: facts.order.recipient.lat,
            lng: facts.order.recipient.lng,
          },
          items_summary: 'dry run',
          item_count: facts.order.item_count,
          weight_g: facts.order.weight_g,
          declared_value_fen: facts.order.declared_value_fen,
          category: facts.order.category,
          notes: '',
          tip_fen: 0,
        }
    const accounts = await this.ports.carriers.eligibleAccounts({
      merchantId: facts.merchant.id,
      storeId: facts.store.id,
      city: store.city,
    })
    const settled = await Promise.allSettled(
      accounts.map((account) => this.ports.carriers.quote(account.accountId, payload))
    )
    const inputs: QuoteInput[] = []
    for (const [i, result] of settled.entries()) {
      if (result.status !== 'fulfilled') continue
      const account = accounts[i]
      inputs.push({
        quote: {
          carrier: account.pluginId,
          account_id: String(account.accountId),
          fee_fen: result.value.feeFen,
          pickup_eta_s: result.value.pickupEtaS,
          dropoff_eta_s: result.value.dropoffEtaS,
          distance_m: result.value.distanceM,
          capabilities: account.capabilities,
          vehicle: account.vehicle,
        },
        carrier: await this.ports.stats.stats(account),
      })
    }
    return inputs
  }

  /** Job `poll-status`: the fallback when callbacks stop coming. */
  async pollStatus(orderId: number) {
    const attempt = await this.#liveAttempt(orderId)
    if (!attempt?.carrier_order_id) return
    const events = await this.ports.carriers.track(attempt.carrier_account_id, this.#ref(attempt))
    await this.applyCarrierEvents(
      attempt.carrier_account_id,
      events.map((event) => ({ ...event, carrierOrderId: attempt.carrier_order_id! }))
    )
  }

  /**
   * Rebuilds the work a crashed process left behind: orders still waiting for a
   * carrier, and attempts waiting for acceptance (their timeout jobs lived in the
   * dead process's memory or may have been lost).
   */
  async recover(options: { includeNew: boolean }) {
    // New orders are resumed only when the hub dispatches on intake; otherwise they
    // wait for someone to start them. Orders mid-quote are always resumed.
    const statuses = options.includeNew ? ['created', 'quoting'] : ['quoting']
    const rows = await db.from('orders').select('id').whereIn('status', statuses)
    const orders = rows.map((row) => Number(row.id))
    await this.queue.addBulk(
      orders.map((orderId) => ({
        name: 'dispatch-order' as const,
        data: { orderId },
        options: { jobId: dispatchJobId(orderId) },
      }))
    )

    const pending = await db
      .from('dispatch_attempts')
      .select('order_id', 'attempt_no', 'accept_deadline_at')
      .where('state', 'awaiting_accept')
    for (const row of pending) {
      const deadline = row.accept_deadline_at ? dbTimeMillis(row.accept_deadline_at) : Date.now()
      await this.queue.add(
        'accept-timeout',
        { orderId: Number(row.order_id), attemptNo: Number(row.attempt_no) },
        {
          delayMs: Math.max(0, deadline - Date.now()),
          jobId: timeoutJobId(Number(row.order_id), Number(row.attempt_no)),
        }
      )
    }
    return { orders: orders.length, timeouts: pending.length }
  }

  async #quoteDecideSend(order: OrderRecord & { status: OrderStatus }, attempts?: AttemptRow[]) {
    const orderId = order.id
    const facts = await this.#facts(order)
    const previous = attempts ?? (await this.#attemptsOf(orderId))
    const thisRound = previous.filter((row) => Number(row.round) === order.dispatch_round)
    const tried = new Set(thisRound.map((row) => Number(row.carrier_account_id)))
    if (thisRound.length >= this.options.maxAttempts) {
      return this.#fail(orderId, `gave up after ${thisRound.length} attempts`)
    }
    const attemptsSoFar = previous.reduce((max, row) => Math.max(max, Number(row.attempt_no)), 0)

    const eligible = await this.ports.carriers.eligibleAccounts({
      merchantId: order.merchant_id,
      storeId: order.store_id,
      city: order.store_city,
    })
    const accounts = eligible.filter((account) => !tried.has(account.accountId))
    if (accounts.length === 0) {
      return this.#fail(
        orderId,
        tried.size ? 'every carrier was tried' : 'no carrier account serves this store'
      )
    }

    const payload = hubOrder(order, order.tip_fen)
    const quoted = await this.#quoteAll(orderId, accounts, payload)
    if (quoted.length === 0)
      return this.#fail(orderId, 'no carrier could quote (no capacity or errors)')

    const rules = await this.ports.rules.forMerchant(order.merchant_id)
    const inputs: QuoteInput[] = await Promise.all(
      quoted.map(async ({ account, quote }) => ({
        quote: {
          carrier: account.pluginId,
          account_id: String(account.accountId),
          fee_fen: quote.feeFen,
          pickup_eta_s: quote.pickupEtaS,
          dropoff_eta_s: quote.dropoffEtaS,
          distance_m: quote.distanceM,
          capabilities: account.capabilities,
          vehicle: account.vehicle,
        },
        carrier: await this.ports.stats.stats(account),
      }))
    )
    let decision: Decision
    try {
      decision = decide(rules.compiled, facts, inputs)
    } catch (error) {
      return this.#fail(orderId, `rules could not decide: ${(error as Error).message}`)
    }
    const attemptNo = attemptsSoFar + 1
    await this.ports.decisions.record({
      orderId,
      merchantId: order.merchant_id,
      attemptNo,
      rulesetVersionId: rules.versionId,
      facts,
      quotes: inputs,
      decision,
    })

    const ranked = decision.candidates
      .filter((c) => c.rank !== null)
      .sort((a, b) => a.rank! - b.rank!)
    if (ranked.length === 0) {
      const reasons = decision.candidates
        .map((c) => `${c.carrier}: ${c.excluded?.reason ?? 'excluded'}`)
        .join('; ')
      return this.#fail(orderId, `the rules excluded every carrier (${reasons})`)
    }

    const tipFen = Math.max(order.tip_fen, decision.tipFen)
    let next = attemptNo
    for (const candidate of ranked) {
      if (next - attemptNo >= this.options.maxAttempts) break
      const { account, quote } = quoted.find(
        (q) => String(q.account.accountId) === candidate.accountId
      )!
      const sent = await this.#send(order, account, quote, next, tipFen, decision.acceptTimeoutS)
      if (sent) return
      next += 1
    }
    return this.#fail(orderId, 'every ranked carrier refused the order')
  }

  async #quoteAll(
    orderId: number,
    accounts: CarrierAccountRef[],
    payload: ReturnType<typeof hubOrder>
  ) {
    const settled = await Promise.allSettled(
      accounts.map((account) => this.ports.carriers.quote(account.accountId, payload))
    )
    const quoted: { account: CarrierAccountRef; quote: QuoteResult }[] = []
    const failures: Record<string, string> = {}
    settled.forEach((result, i) => {
      if (result.status === 'fulfilled') quoted.push({ account: accounts[i], quote: result.value })
      else
        failures[`${accounts[i].pluginId}#${accounts[i].accountId}`] = (
          result.reason as Error
        ).message
    })
    if (Object.keys(failures).length > 0) {
      await recordOrderEvent(orderId, 'note', 'dispatcher', { quote_failures: failures })
    }
    return quoted
  }

  /** Creates the attempt row first (the guard), then the delivery at the carrier. */
  async #send(
    order: OrderRecord,
    account: CarrierAccountRef,
    quote: QuoteResult,
    attemptNo: number,
    tipFen: number,
    acceptTimeoutS: number
  ): Promise<boolean> {
    const orderId = order.id
    const now = sqlTime()
    try {
      await db.table('dispatch_attempts').insert({
        order_id: orderId,
        attempt_no: attemptNo,
        carrier_account_id: account.accountId,
        plugin_id: account.pluginId,
        round: order.dispatch_round,
        state: 'creating',
        fee_fen: quote.feeFen,
        tip_fen: tipFen,
        pickup_eta_s: quote.pickupEtaS,
        dropoff_eta_s: quote.dropoffEtaS,
        quote_token: quote.quoteToken || null,
        quote_expires_at: sqlTime(DateTime.fromISO(quote.expiresAt)),
        accept_timeout_s: acceptTimeoutS,
        created_at: now,
        updated_at: now,
      })
    } catch (error) {
      // Another worker already created this attempt: it owns the order now.
      this.logger.warn(
        { orderId, attemptNo, err: error },
        'attempt already exists; not sending twice'
      )
      return true
    }
    return this.#createAtCarrier(
      order,
      { attempt_no: attemptNo, carrier_account_id: account.accountId, plugin_id: account.pluginId },
      quote,
      tipFen,
      acceptTimeoutS
    )
  }

  async #createAtCarrier(
    order: OrderRecord,
    attempt: { attempt_no: number; carrier_account_id: number; plugin_id: string },
    quote: QuoteResult,
    tipFen: number,
    acceptTimeoutS: number
  ) {
    const orderId = order.id
    const created = await this.#createWithRetries(order, attempt, quote, tipFen)
    if (!created.ok) {
      await db
        .from('dispatch_attempts')
        .where({ order_id: orderId, attempt_no: attempt.attempt_no })
        .update({
          state: 'failed',
          outcome_reason: created.reason,
          ended_at: sqlTime(),
          updated_at: sqlTime(),
        })
      await recordOrderEvent(
        orderId,
        'attempt',
        'dispatcher',
        { outcome: 'failed', carrier: attempt.plugin_id, reason: created.reason },
        { attemptNo: attempt.attempt_no }
      )
      return false
    }

    // From here on the carrier holds the delivery. A database error now must not
    // look like a carrier refusal (that would send the order to a second carrier):
    // it propagates, the job is retried, and #repairSentAttempt finishes the step.
    const feeFen = created.result.feeFen ?? quote.feeFen
    await db
      .from('dispatch_attempts')
      .where({ order_id: orderId, attempt_no: attempt.attempt_no })
      .update({
        state: 'awaiting_accept',
        carrier_order_id: created.result.carrierOrderId,
        fee_fen: feeFen,
        accept_deadline_at: sqlTime(DateTime.utc().plus({ seconds: acceptTimeoutS })),
        updated_at: sqlTime(),
      })
    await this.#markDispatched(orderId, attempt, feeFen, tipFen, acceptTimeoutS, {
      status: 'quoting',
      merchant_id: order.merchant_id,
      batch_id: order.batch_id,
    })
    return true
  }

  /**
   * Creates the delivery, retrying with the SAME idempotency key when the outcome
   * is unknown (timeout, retryable error): the carrier de-duplicates on the key,
   * so a retry either finds the delivery the first call made or makes the only one.
   */
  async #createWithRetries(
    order: OrderRecord,
    attempt: { attempt_no: number; carrier_account_id: number },
    quote: QuoteResult,
    tipFen: number
  ): Promise<
    | { ok: true; result: Awaited<ReturnType<DispatchPorts['carriers']['create']>> }
    | { ok: false; reason: string }
  > {
    const idempotencyKey = `hub-${order.id}-${attempt.attempt_no}`
    let lastError: unknown
    for (const delayMs of [0, ...CREATE_RETRY_DELAYS_MS]) {
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs))
      try {
        const result = await this.ports.carriers.create(
          attempt.carrier_account_id,
          hubOrder(order, tipFen),
          quote,
          idempotencyKey
        )
        return { ok: true, result }
      } catch (error) {
        lastError = error
        if (!(error instanceof CarrierError) || !error.retryable) break
      }
    }
    return { ok: false, reason: (lastError as Error).message.slice(0, 240) }
  }

  async #markDispatched(
    orderId: number,
    attempt: { attempt_no: number; carrier_account_id: number; plugin_id: string },
    feeFen: number,
    tipFen: number,
    acceptTimeoutS: number,
    known?: OrderRowForMove
  ) {
    const moved = await moveOrder(orderId, 'dispatching', {
      source: 'dispatcher',
      known,
      attemptNo: attempt.attempt_no,
      detail: {
        carrier: attempt.plugin_id,
        account_id: attempt.carrier_account_id,
        fee_fen: feeFen,
      },
      columns: {
        carrier_account_id: attempt.carrier_account_id,
        fee_fen: feeFen,
        tip_fen: tipFen,
        dispatched_at: sqlTime(),
        dispatched_at_ms: Date.now(),
      },
    })
    if (!moved) {
      const order = await db.from('orders').select('status').where('id', orderId).first()
      if (order && ['cancelled', 'failed'].includes(order.status)) {
        // The order was cancelled while the carrier was creating it: let go at once.
        const row = await this.#attempt(orderId, attempt.attempt_no)
        if (row)
          await this.#abandonAttempt(row, 'cancelled', `order ${order.status} during dispatch`)
        return
      }
      // Otherwise a callback already moved it further (accepted...): nothing to undo,
      // but the dispatch itself is still recorded (batch throughput counts it).
      await db
        .from('orders')
        .where('id', orderId)
        .update({
          carrier_account_id: attempt.carrier_account_id,
          fee_fen: feeFen,
          tip_fen: tipFen,
          dispatched_at: db.raw('coalesce(dispatched_at, ?)', [sqlTime()]),
          dispatched_at_ms: db.raw('coalesce(dispatched_at_ms, ?)', [Date.now()]),
        })
    }
    await this.queue.add(
      'accept-timeout',
      { orderId, attemptNo: attempt.attempt_no },
      { delayMs: acceptTimeoutS * 1000, jobId: timeoutJobId(orderId, attempt.attempt_no) }
    )
  }

  /**
   * The carrier took the delivery but the process died (or the database failed)
   * before the order showed it: finish that step instead of sending again.
   */
  async #repairSentAttempt(attempts: AttemptRow[]) {
    // Attempts come oldest first: the latest one the carrier took.
    const sent = attempts.findLast((attempt) =>
      ['awaiting_accept', 'accepted'].includes(attempt.state)
    )
    if (!sent) return false
    await this.#markDispatched(
      sent.order_id,
      sent,
      sent.fee_fen,
      sent.tip_fen,
      sent.accept_timeout_s
    )
    return true
  }

  /** Every attempt of an order, oldest first. */
  async #attemptsOf(orderId: number): Promise<AttemptRow[]> {
    const rows: AttemptRow[] = await db
      .from('dispatch_attempts')
      .where('order_id', orderId)
      .orderBy('attempt_no')
    return rows.map((row) => ({
      ...row,
      id: Number(row.id),
      order_id: Number(row.order_id),
      attempt_no: Number(row.attempt_no),
      carrier_account_id: Number(row.carrier_account_id),
    }))
  }

  /** A process died between inserting an attempt and storing the carrier's answer. */
  async #resumeCreatingAttempt(stuck: AttemptRow) {
    const order = await this.#loadOrder(stuck.order_id)
    if (!order) return
    const quote: QuoteResult = {
      feeFen: stuck.fee_fen,
      pickupEtaS: stuck.pickup_eta_s ?? 0,
      dropoffEtaS: stuck.dropoff_eta_s ?? 0,
      distanceM: 0,
      quoteToken: stuck.quote_token ?? '',
      expiresAt: new Date(dbTimeMillis(stuck.quote_expires_at as string | Date)).toISOString(),
    }
    await this.#createAtCarrier(order, stuck, quote, stuck.tip_fen, stuck.accept_timeout_s)
  }

  async #applyToAttempt(attempt: EventAttemptRow, event: StatusEvent, raw: TimelineEntry) {
    const orderId = attempt.order_id
    const isCurrent =
      LIVE_ATTEMPT_STATES.includes(attempt.state) && Number(attempt.newer_live) === 0
    const known: OrderRowForMove = {
      status: attempt.order_status,
      merchant_id: attempt.order_merchant_id,
      batch_id: attempt.order_batch_id,
    }

    const recordRaw = () =>
      recordOrderEvent(orderId, raw.kind, raw.source, raw.detail, { attemptNo: raw.attemptNo })
    if (isDropped(event)) {
      await recordRaw()
      // The carrier dropped it (no rider, rider cancelled): reassign if it was ours.
      if (isCurrent && ['awaiting_accept', 'accepted'].includes(attempt.state)) {
        const owner = this.options.nodeId
        if (await acquireLease(orderId, owner, ['dispatching', 'accepted', 'arrived_at_store'])) {
          try {
            await this.#endAttempt(
              attempt,
              'rejected',
              event.note ?? `carrier reported ${event.carrierStatus}`
            )
            await this.queue.remove(timeoutJobId(orderId, attempt.attempt_no))
            await this.#reassign(orderId, attempt.attempt_no, 0)
          } finally {
            await releaseLease(orderId, owner)
          }
        }
      }
      return
    }
    if (!isCurrent) {
      await recordRaw()
      // A carrier we already gave up on accepted late: make sure it lets go.
      if (
        rankOf(event.status) >= rankOf('accepted') &&
        attempt.carrier_order_id &&
        attempt.state !== 'cancelled'
      ) {
        await this.ports.carriers
          .cancel(attempt.carrier_account_id, this.#ref(attempt), 'reassigned')
          .catch(() => {})
      }
      return
    }
    if (rankOf(event.status) >= rankOf('accepted') && attempt.state === 'awaiting_accept') {
      const updated = await db
        .from('dispatch_attempts')
        .where('id', attempt.id)
        .where('state', 'awaiting_accept')
        .update({ state: 'accepted', accepted_at: sqlTime(), updated_at: sqlTime() })
      if (affected(updated) === 1)
        await this.queue.remove(timeoutJobId(orderId, attempt.attempt_no))
    }
    const columns: Record<string, unknown> = {}
    if (event.status === 'accepted') columns.accepted_at = sqlTime()
    if (event.status === 'delivered') columns.delivered_at = sqlTime()
    const moved = await moveOrder(orderId, event.status, {
      source: `carrier:${attempt.plugin_id}`,
      attemptNo: attempt.attempt_no,
      columns,
      known,
      entry: raw,
    })
    // A duplicate, late or out-of-order event moves nothing but is still recorded.
    if (!moved) await recordRaw()
    if (event.status === 'delivered') {
      await db
        .from('dispatch_attempts')
        .where('id', attempt.id)
        .update({ state: 'completed', ended_at: sqlTime(), updated_at: sqlTime() })
    }
  }

  async #reassign(orderId: number, attemptNo: number, tipBumpFen: number) {
    if (tipBumpFen > 0)
      await db.from('orders').where('id', orderId).increment('tip_fen', tipBumpFen)
    await moveOrder(orderId, 'quoting', {
      source: 'dispatcher',
      attemptNo,
      reassign: true,
      detail: { reassigned_after: attemptNo },
    })
    const order = await this.#loadOrder(orderId)
    if (order && order.status === 'quoting') await this.#quoteDecideSend(order)
  }

  /**
   * Cancels the attempt at its carrier and closes it. Returns false, leaving the
   * attempt open, when the carrier refused to cancel (already picked up, delivered,
   * or unreachable): the carrier may still be delivering it.
   */
  async #abandonAttempt(attempt: AttemptRow, state: 'timed_out' | 'cancelled', reason: string) {
    let feeFen: number | null = null
    if (attempt.carrier_order_id) {
      try {
        const result = await this.ports.carriers.cancel(
          attempt.carrier_account_id,
          this.#ref(attempt),
          reason
        )
        feeFen = result?.feeFen ?? 0
      } catch (error) {
        await recordOrderEvent(
          attempt.order_id,
          'note',
          'dispatcher',
          { cancel_failed: (error as Error).message },
          { attemptNo: attempt.attempt_no }
        )
        return false
      }
    }
    await this.#endAttempt(attempt, state, reason, { cancel_fee_fen: feeFen })
    return true
  }

  /**
   * True when the carrier took the delivery after all: an acceptance is among the
   * stored callbacks not applied yet, or the carrier's own status says so. The events
   * are applied (the attempt becomes `accepted`). A carrier that cannot be asked, or
   * that reports a cancellation, leaves the decision to the cancel call.
   */
  async #acceptedMeanwhile(attempt: AttemptRow): Promise<boolean> {
    if (!attempt.carrier_order_id) return false
    const stored = await db
      .from('carrier_webhook_events')
      .where({
        carrier_account_id: attempt.carrier_account_id,
        carrier_order_id: attempt.carrier_order_id,
      })
      .whereNull('processed_at')
      .select('event_id', 'status', 'carrier_status', 'occurred_at')
    let events: (StatusEvent & { carrierOrderId: string })[] = stored.map((row) => ({
      eventId: row.event_id,
      status: row.status,
      carrierStatus: row.carrier_status,
      occurredAt: dbTimeIso(row.occurred_at),
      carrierOrderId: attempt.carrier_order_id!,
    }))
    if (!events.some(isTakenBy)) {
      try {
        const tracked = await this.ports.carriers.track(
          attempt.carrier_account_id,
          this.#ref(attempt)
        )
        events = tracked.map((event) => ({ ...event, carrierOrderId: attempt.carrier_order_id! }))
      } catch {
        return false
      }
    }
    if (!events.some(isTakenBy) || events.some(isDropped)) return false
    await this.applyCarrierEvents(attempt.carrier_account_id, events.filter(isTakenBy))
    await recordOrderEvent(
      attempt.order_id,
      'note',
      'dispatcher',
      { accept_timeout: 'the carrier had accepted; its callback was late' },
      { attemptNo: attempt.attempt_no }
    )
    const after = await this.#attempt(attempt.order_id, attempt.attempt_no)
    return after?.state !== 'awaiting_accept'
  }

  /**
   * Polls the carrier of an attempt it would not cancel and applies what it says.
   * If it cannot be reached either, the timeout is tried again later.
   */
  async #adoptCarrierStatus(attempt: AttemptRow): Promise<boolean> {
    try {
      const events = await this.ports.carriers.track(attempt.carrier_account_id, this.#ref(attempt))
      const gaveUp = events.find(isDropped)
      if (gaveUp) {
        // The carrier dropped it itself: free to try the next one.
        await this.#endAttempt(attempt, 'rejected', `carrier reported ${gaveUp.carrierStatus}`)
        return true
      }
      if (events.length > 0) {
        await this.applyCarrierEvents(
          attempt.carrier_account_id,
          events.map((event) => ({ ...event, carrierOrderId: attempt.carrier_order_id! }))
        )
      }
    } catch (error) {
      await recordOrderEvent(
        attempt.order_id,
        'note',
        'dispatcher',
        { track_failed: (error as Error).message },
        { attemptNo: attempt.attempt_no }
      )
    }
    const after = await this.#attempt(attempt.order_id, attempt.attempt_no)
    if (after?.state === 'awaiting_accept') {
      await this.queue.add(
        'accept-timeout',
        { orderId: attempt.order_id, attemptNo: attempt.attempt_no },
        { delayMs: UNCERTAIN_RETRY_MS }
      )
    }
    return false
  }

  async #endAttempt(
    attempt: AttemptRow,
    state: string,
    reason: string,
    extra: Record<string, unknown> = {}
  ) {
    await db
      .from('dispatch_attempts')
      .where('id', attempt.id)
      .whereIn('state', LIVE_ATTEMPT_STATES)
      .update({
        state,
        outcome_reason: reason.slice(0, 255),
        ended_at: sqlTime(),
        updated_at: sqlTime(),
        ...extra,
      })
    await recordOrderEvent(
      attempt.order_id,
      'attempt',
      'dispatcher',
      { outcome: state, carrier: attempt.plugin_id, reason },
      { attemptNo: attempt.attempt_no }
    )
  }

  async #fail(orderId: number, reason: string) {
    await moveOrder(orderId, 'failed', {
      source: 'dispatcher',
      detail: { reason },
      columns: { failure_reason: reason.slice(0, 255) },
    })
  }

  async #facts(order: OrderRecord): Promise<OrderFacts> {
    return {
      order: orderFact(order),
      merchant: merchantFact(order),
      store: storeFact(order),
      weather: await this.ports.weather.current(order.store_city),
      time: buildTimeFact(new Date()),
    }
  }

  async #loadOrder(orderId: number): Promise<(OrderRecord & { status: OrderStatus }) | undefined> {
    const row = await db
      .from('orders')
      .join('stores', 'stores.id', 'orders.store_id')
      .join('merchants', 'merchants.id', 'orders.merchant_id')
      .where('orders.id', orderId)
      .select(
        'orders.*',
        'stores.name as store_name',
        'stores.address as store_address',
        'stores.city as store_city',
        'stores.lat as store_lat',
        'stores.lng as store_lng',
        'stores.contact_name as store_contact_name',
        'stores.contact_phone as store_contact_phone',
        'merchants.name as merchant_name',
        'merchants.tier as merchant_tier'
      )
      .first()
    if (!row) return undefined
    return {
      ...row,
      id: Number(row.id),
      merchant_id: Number(row.merchant_id),
      store_id: Number(row.store_id),
    }
  }

  async #attempt(orderId: number, attemptNo: number): Promise<AttemptRow | undefined> {
    return db.from('dispatch_attempts').where({ order_id: orderId, attempt_no: attemptNo }).first()
  }

  async #liveAttempt(orderId: number): Promise<AttemptRow | undefined> {
    return db
      .from('dispatch_attempts')
      .where('order_id', orderId)
      .whereIn('state', LIVE_ATTEMPT_STATES)
      .orderBy('attempt_no', 'desc')
      .first()
  }

  #ref(attempt: AttemptRow) {
    return {
      orderId: String(attempt.order_id),
      carrierOrderId: attempt.carrier_order_id!,
      externalId: undefined,
    }
  }

  isTerminalStatus(status: OrderStatus) {
    return isTerminal(status)
  }
}
