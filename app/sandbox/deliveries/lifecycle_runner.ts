/**
 * Plays each delivery's plan on the sandbox scheduler: applies one step at a time
 * (state, rider, history), schedules the next, and reports every change so the core
 * can send status callbacks. Merchant cancellations and tips cut or redraw the plan.
 */
import type { SandboxDeliveryState } from '#sandbox/emulator'
import { interpolate, type Point } from '#sandbox/geo'
import type { SandboxClock } from '#sandbox/clock'
import type { Market } from '#sandbox/market/market'
import type { SandboxScheduler } from '#sandbox/scheduler'
import { planLifecycle, type PlannedStep } from '#sandbox/deliveries/lifecycle_plan'
import { riderFor } from '#sandbox/deliveries/riders'
import type { DeliveryRecord } from '#sandbox/deliveries/delivery_store'

export type StateChangeListener = (record: DeliveryRecord, at: Date) => void

/** Each fen of tip adds this much acceptance probability (100 fen → +5 %), up to the cap. */
const TIP_ACCEPTANCE_PER_FEN = 0.0005
const TIP_ACCEPTANCE_CAP = 0.3
/** A tip makes riders decide faster. */
const TIP_DELAY_FACTOR = 0.6

export const TERMINAL_STATES: readonly SandboxDeliveryState[] = ['delivered', 'cancelled']

export class LifecycleRunner {
  readonly #seed: number
  readonly #clock: SandboxClock
  readonly #scheduler: SandboxScheduler
  readonly #market: Market
  readonly #onChange: StateChangeListener

  constructor(options: {
    seed: number
    clock: SandboxClock
    scheduler: SandboxScheduler
    market: Market
    onChange: StateChangeListener
  }) {
    this.#seed = options.seed
    this.#clock = options.clock
    this.#scheduler = options.scheduler
    this.#market = options.market
    this.#onChange = options.onChange
  }

  /** Draws the plan from the creation time and starts it; reports the initial `waiting`. */
  start(record: DeliveryRecord): void {
    record.planStartMs = record.delivery.createdAt.getTime()
    record.plan = this.#plan(record, 0, 1)
    record.nextStep = 0
    this.#onChange(record, record.delivery.createdAt)
    this.#scheduleNext(record)
  }

  /** The merchant (or an operator) cancels: the plan stops here. */
  cancel(record: DeliveryRecord, reason: string, feeFen: number): void {
    const at = this.#clock.now()
    record.generation++
    this.#refreshRider(record, at.getTime())
    record.delivery.cancellation = { by: 'merchant', reason, feeFen, at }
    record.leg = null
    this.#setState(record, 'cancelled', at, reason)
  }

  /** Raises the fee; while nobody has accepted, riders are drawn again with better odds. */
  tip(record: DeliveryRecord, amountFen: number): void {
    const { delivery } = record
    delivery.tipFen += amountFen
    if (delivery.state !== 'waiting') return
    record.generation++
    record.replans++
    record.planStartMs = this.#clock.nowMs()
    const boost = Math.min(TIP_ACCEPTANCE_CAP, delivery.tipFen * TIP_ACCEPTANCE_PER_FEN)
    record.plan = this.#plan(record, boost, TIP_DELAY_FACTOR)
    record.nextStep = 0
    this.#scheduleNext(record)
  }

  /** Where the rider is now, moving along the current leg; null without a rider. */
  riderPosition(record: DeliveryRecord): { lat: number; lng: number; at: Date } | null {
    const at = this.#clock.now()
    const position = this.#refreshRider(record, at.getTime())
    return position ? { ...position, at } : null
  }

  #plan(record: DeliveryRecord, acceptanceBoost: number, delayFactor: number): PlannedStep[] {
    const { delivery } = record
    return planLifecycle({
      seed: this.#seed,
      carrier: delivery.carrier,
      clientOrderId: delivery.clientOrderId,
      attempt: record.replans,
      from: delivery.from,
      to: delivery.to,
      profile: this.#market.profile(delivery.carrier),
      conditions: record.conditions,
      firstRiderIndex: record.ridersUsed,
      acceptanceBoost,
      delayFactor,
    })
  }

  #scheduleNext(record: DeliveryRecord): void {
    const step = record.plan[record.nextStep]
    if (!step) return
    const generation = record.generation
    const atMs = record.planStartMs + step.offsetS * 1000
    this.#scheduler.at(atMs, () => {
      if (record.generation !== generation) return
      record.nextStep++
      this.#apply(record, step, new Date(atMs))
      this.#scheduleNext(record)
    })
  }

  #apply(record: DeliveryRecord, step: PlannedStep, at: Date): void {
    const { delivery } = record
    if (step.riderIndex === null) {
      delivery.rider = null
    } else if (delivery.rider === null || step.state === 'accepted') {
      const start = step.leg?.from ?? delivery.from
      delivery.rider = riderFor(
        this.#seed,
        delivery.carrier,
        delivery.clientOrderId,
        step.riderIndex,
        start
      )
      record.ridersUsed = Math.max(record.ridersUsed, step.riderIndex + 1)
    }
    record.leg = this.#legFor(step, delivery.from, delivery.to, at.getTime())
    if (step.state === 'cancelled') {
      delivery.cancellation = {
        by: 'carrier',
        reason: step.note ?? 'cancelled by carrier',
        feeFen: 0,
        at,
      }
    }
    this.#refreshRider(record, at.getTime())
    this.#setState(record, step.state, at, step.note)
  }

  #legFor(step: PlannedStep, store: Point, customer: Point, startMs: number) {
    if (step.leg) return { ...step.leg, startMs, durationMs: step.leg.durationS * 1000 }
    // Standing still: at the store until the ride starts, at the door once delivered.
    const spot = step.state === 'delivered' ? customer : store
    return { from: spot, to: spot, startMs, durationMs: 0 }
  }

  #setState(record: DeliveryRecord, state: SandboxDeliveryState, at: Date, note?: string): void {
    const { delivery } = record
    delivery.state = state
    const rider = delivery.rider ? { ...delivery.rider } : null
    delivery.history.push(note ? { state, at, rider, note } : { state, at, rider })
    this.#onChange(record, at)
  }

  /** Moves delivery.rider to where its leg puts it at `atMs`; returns that position. */
  #refreshRider(record: DeliveryRecord, atMs: number): Point | null {
    const { delivery, leg } = record
    if (!delivery.rider || !leg || delivery.state === 'cancelled') return null
    const fraction = leg.durationMs === 0 ? 1 : (atMs - leg.startMs) / leg.durationMs
    const position = interpolate(leg.from, leg.to, fraction)
    delivery.rider.lat = position.lat
    delivery.rider.lng = position.lng
    return position
  }
}
