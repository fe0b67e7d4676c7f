import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type Order from '#models/order'
import ProblemException from '#exceptions/problem'
import { CANCELLABLE_STATUSES, TERMINAL_STATUSES } from '#services/order_status'
import { DispatchRuntime } from '#dispatch/pipeline/dispatch_runtime'
import { CarrierError } from '#sdk/errors'
import { dbTimeIso } from '#services/db_time'

async function dispatcher() {
  const runtime = await app.container.make(DispatchRuntime)
  return runtime.dispatcher
}

async function dispatcherCall<T>(
  action: (d: Awaited<ReturnType<typeof dispatcher>>) => Promise<T>
) {
  return action(await dispatcher())
}

function carrierProblem(error: unknown, action: string) {
  if (error instanceof CarrierError) {
    return new ProblemException({
      status: 502,
      slug: 'carrier-error',
      title: 'The carrier refused or failed',
      detail: `Could not ${action} at the carrier: ${error.message}`,
    })
  }
  return error
}

/**
 * Cancels an order wherever it is: with the carrier that holds it (paying the
 * carrier's cancellation fee), then in the hub. Refused once a rider has the goods.
 */
export async function cancelOrderWithCarrier(
  order: Order,
  reason: string | undefined,
  source: string
) {
  if (!CANCELLABLE_STATUSES.has(order.status)) {
    throw ProblemException.conflict(
      `Order ${order.id} is ${order.status} and can no longer be cancelled`,
      'order-not-cancellable'
    )
  }
  let result: { cancelled: boolean; feeFen: number }
  try {
    result = await dispatcherCall((d) => d.cancel(order.id, reason ?? null, source))
  } catch (error) {
    throw carrierProblem(error, 'cancel')
  }
  await order.refresh()
  if (!result.cancelled) {
    throw ProblemException.conflict(
      `Order ${order.id} is ${order.status} and can no longer be cancelled`,
      'order-not-cancellable'
    )
  }
  return { order, cancelFeeFen: result.feeFen }
}

export async function cancelFeePreview(order: Order) {
  if (!CANCELLABLE_STATUSES.has(order.status)) {
    return { cancellable: false, fee_fen: null, carrier: null }
  }
  try {
    const preview = await dispatcherCall((d) => d.cancelFeePreview(order.id))
    return { cancellable: true, fee_fen: preview.feeFen, carrier: preview.carrier }
  } catch (error) {
    throw carrierProblem(error, 'preview the cancellation fee')
  }
}

export async function addTipToOrder(order: Order, amountFen: number, source: string) {
  if (TERMINAL_STATUSES.has(order.status)) {
    throw ProblemException.conflict(
      `Order ${order.id} is ${order.status}; a tip no longer helps`,
      'order-finished'
    )
  }
  try {
    await dispatcherCall((d) => d.addTip(order.id, amountFen, source))
  } catch (error) {
    throw carrierProblem(error, 'add the tip')
  }
  await order.refresh()
  return order
}

export async function redispatchOrder(order: Order, source: string) {
  if (['delivered', 'cancelled', 'picked_up', 'delivering'].includes(order.status)) {
    throw ProblemException.conflict(
      `Order ${order.id} is ${order.status} and cannot be re-dispatched`,
      'order-not-redispatchable'
    )
  }
  const started = await dispatcherCall((d) => d.redispatch(order.id, source))
  if (!started)
    throw ProblemException.conflict(
      `Order ${order.id} could not be re-dispatched: its carrier would not cancel (see the timeline), so it stays with that carrier`,
      'order-busy'
    )
  await order.refresh()
  return order
}

/** The order's history: every status change, attempt and carrier event, oldest first. */
export async function orderTimeline(orderId: number) {
  const [events, attempts] = await Promise.all([
    db.from('order_events').where('order_id', orderId).orderBy('id'),
    db.from('dispatch_attempts').where('order_id', orderId).orderBy('attempt_no'),
  ])
  return {
    events: events.map((event) => ({
      id: Number(event.id),
      kind: event.kind,
      from_status: event.from_status,
      to_status: event.to_status,
      attempt_no: event.attempt_no === null ? null : Number(event.attempt_no),
      source: event.source,
      detail: event.detail ? JSON.parse(event.detail) : null,
      at: dbTimeIso(event.created_at),
    })),
    attempts: attempts.map((attempt) => ({
      attempt_no: Number(attempt.attempt_no),
      round: Number(attempt.round),
      carrier: attempt.plugin_id,
      carrier_account_id: Number(attempt.carrier_account_id),
      carrier_order_id: attempt.carrier_order_id,
      state: attempt.state,
      fee_fen: Number(attempt.fee_fen),
      tip_fen: Number(attempt.tip_fen),
      pickup_eta_s: attempt.pickup_eta_s,
      dropoff_eta_s: attempt.dropoff_eta_s,
      accept_timeout_s: Number(attempt.accept_timeout_s),
      outcome_reason: attempt.outcome_reason,
      cancel_fee_fen: attempt.cancel_fee_fen,
      created_at: dbTimeIso(attempt.created_at),
      accepted_at: dbTimeIso(attempt.accepted_at),
      ended_at: dbTimeIso(attempt.ended_at),
    })),
  }
}
