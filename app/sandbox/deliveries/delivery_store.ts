/**
 * Every delivery the sandbox created, findable by the carrier's id or by the
 * client's order number (the carrier's retry key), with the bookkeeping the life
 * cycle needs beside the public SandboxDelivery.
 */
import type { SandboxDelivery } from '#sandbox/emulator'
import type { Point } from '#sandbox/geo'
import type { MarketConditions } from '#sandbox/market/conditions'
import type { PlannedStep } from '#sandbox/deliveries/lifecycle_plan'

export interface RiderLeg {
  from: Point
  to: Point
  startMs: number
  durationMs: number
}

export interface DeliveryRecord {
  delivery: SandboxDelivery
  /** Market conditions when it was created (drive re-plans after a tip). */
  conditions: MarketConditions
  plan: PlannedStep[]
  /** Sandbox ms the plan's offsets count from. */
  planStartMs: number
  /** Index of the next step to apply. */
  nextStep: number
  /** Bumped whenever the plan is replaced or cut short, so stale timers do nothing. */
  generation: number
  /** Re-plans so far (each draws from a fresh random stream). */
  replans: number
  /** Riders assigned so far; the next rider gets this number. */
  ridersUsed: number
  /** Status callbacks produced so far (the emulator's eventSeq). */
  eventSeq: number
  /**
   * Wall-clock time stamped on the last callback. Carriers stamp pushes with their
   * real clock at one-second resolution; a fast sandbox can make several changes in
   * one real second, so each push is stamped at least a second after the previous
   * (distinct events keep distinct times, as they would at real speed).
   */
  lastPushMs: number
  /** Where the rider is heading, for positions between steps (null: no rider or not moving). */
  leg: RiderLeg | null
}

export class DeliveryStore {
  #byId = new Map<string, DeliveryRecord>()
  #byClientOrderId = new Map<string, DeliveryRecord>()
  #byDelivery = new WeakMap<SandboxDelivery, DeliveryRecord>()
  #order: DeliveryRecord[] = []

  get size(): number {
    return this.#order.length
  }

  add(record: DeliveryRecord): void {
    const { carrier, carrierOrderId, clientOrderId } = record.delivery
    this.#byId.set(key(carrier, carrierOrderId), record)
    this.#byClientOrderId.set(key(carrier, clientOrderId), record)
    this.#byDelivery.set(record.delivery, record)
    this.#order.push(record)
  }

  hasId(carrier: string, carrierOrderId: string): boolean {
    return this.#byId.has(key(carrier, carrierOrderId))
  }

  byClientOrderId(carrier: string, clientOrderId: string): DeliveryRecord | undefined {
    return this.#byClientOrderId.get(key(carrier, clientOrderId))
  }

  /** By the carrier's id first, then by the client's order number. */
  find(carrier: string, idOrClientOrderId: string): DeliveryRecord | undefined {
    return (
      this.#byId.get(key(carrier, idOrClientOrderId)) ??
      this.#byClientOrderId.get(key(carrier, idOrClientOrderId))
    )
  }

  recordOf(delivery: SandboxDelivery): DeliveryRecord | undefined {
    return this.#byDelivery.get(delivery)
  }

  /** In creation order, optionally one carrier's. */
  list(carrier?: string): DeliveryRecord[] {
    return carrier
      ? this.#order.filter((record) => record.delivery.carrier === carrier)
      : [...this.#order]
  }

  clear(): void {
    this.#byId.clear()
    this.#byClientOrderId.clear()
    this.#byDelivery = new WeakMap()
    this.#order = []
  }
}

function key(carrier: string, id: string): string {
  return `${carrier}\u0000${id}`
}
