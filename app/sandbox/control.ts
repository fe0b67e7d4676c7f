/**
 * Steering the running sandbox: the programmatic face of `/_control/*`, used by the
 * HTTP routes, by tests and by the demo. Every method validates its input and throws
 * RangeError with a readable reason.
 */
import { parseAccountUpdate, type AccountUpdate } from '#sandbox/accounts'
import type { ClockSettings, ClockSnapshot } from '#sandbox/clock'
import type { SandboxCore } from '#sandbox/core'
import type { DeliveryRecord } from '#sandbox/deliveries/delivery_store'
import { TERMINAL_STATES } from '#sandbox/deliveries/lifecycle_runner'
import type { SandboxAccount, SandboxDeliveryState } from '#sandbox/emulator'
import type { FaultKnobs, FaultPatch } from '#sandbox/faults'
import { isPoint, type Point } from '#sandbox/geo'
import type { MarketConditions } from '#sandbox/market/conditions'
import type { MarketPrice } from '#sandbox/market/market'
import { parseWeatherOverride, type WeatherOverride } from '#sandbox/market/weather_model'
import type { CallbackLogEntry, CarrierTally } from '#sandbox/records'
import type { WeatherReport } from '#weather/weather_source'

const STATES: SandboxDeliveryState[] = [
  'waiting',
  'accepted',
  'arrived',
  'picked_up',
  'delivering',
  'delivered',
  'cancelled',
]

export interface DeliverySummary {
  carrier: string
  carrierOrderId: string
  clientOrderId: string
  accountKey: string
  city: string | undefined
  state: SandboxDeliveryState
  feeFen: number
  tipFen: number
  cancellation?: { by: string; reason: string; feeFen: number; at: string }
  createdAt: string
  history: { state: SandboxDeliveryState; at: string; riderId?: string; note?: string }[]
}

export interface SandboxRecords {
  now: string
  carriers: Record<string, CarrierTally & { states: Record<SandboxDeliveryState, number> }>
  deliveries?: DeliverySummary[]
  callbacks?: CallbackLogEntry[]
  callbacksTruncated?: boolean
}

export interface MarketQuoteRequest {
  city: string
  from: Point
  to: Point
  weightG?: number
  at?: Date
  orderKey?: string
  carriers?: string[]
}

export class SandboxControl {
  readonly #core: SandboxCore

  constructor(core: SandboxCore) {
    this.#core = core
  }

  overview() {
    const core = this.#core
    return {
      seed: core.seed,
      clock: core.clock.snapshot(),
      emulators: [...core.emulators.keys()],
      marketCarriers: core.market.carriers(),
      deliveries: core.deliveries.size,
      scheduledSteps: core.scheduler.pending,
      pendingCallbacks: core.dispatcher.pending,
    }
  }

  clock(): ClockSnapshot {
    return this.#core.clock.snapshot()
  }

  setClock(settings: ClockSettings): ClockSnapshot {
    return this.#core.clock.set(settings)
  }

  faults(): { set: Record<string, FaultPatch>; effective: Record<string, FaultKnobs> } {
    return this.#core.faults.snapshot(this.#core.carriers())
  }

  setFaults(carrier: string, patch: FaultPatch): FaultKnobs {
    return this.#core.faults.set(carrier, patch)
  }

  clearFaults(carrier: string): FaultKnobs {
    this.#core.faults.clear(carrier)
    return this.#core.faults.for(carrier)
  }

  weather(city: string, at?: Date): WeatherReport {
    return this.#core.weather.current(city, at ?? this.#core.clock.now())
  }

  weatherOverrides(): Record<string, WeatherOverride> {
    return this.#core.weather.overrides()
  }

  /** `city` may be `*` (every city without its own override). */
  setWeather(city: string, override: WeatherOverride | unknown): WeatherReport {
    this.#core.weather.override(city, parseWeatherOverride(override))
    // For `*` this reports the wildcard itself (no city has that name).
    return this.weather(city)
  }

  clearWeather(city?: string): void {
    this.#core.weather.clear(city)
  }

  accounts(carrier?: string): SandboxAccount[] {
    return this.#core.accounts.list(carrier)
  }

  setAccount(carrier: string, accountKey: string, update: AccountUpdate | unknown): SandboxAccount {
    return this.#core.accounts.set(carrier, accountKey, parseAccountUpdate(update))
  }

  /** Market conditions of every carrier in a city now (or at `at`): pressure, acceptance, rating. */
  market(city: string, at?: Date): MarketConditions[] {
    const when = at ?? this.#core.clock.now()
    return this.#core.carriers().map((carrier) => this.#core.market.conditions(carrier, city, when))
  }

  /** What every carrier would quote for one order; issues no tokens and counts nothing. */
  quoteAll(request: MarketQuoteRequest): MarketPrice[] {
    if (typeof request.city !== 'string' || !isPoint(request.from) || !isPoint(request.to)) {
      throw new RangeError('city, from {lat, lng} and to {lat, lng} are required')
    }
    const at = request.at ?? this.#core.clock.now()
    const carriers = request.carriers ?? this.#core.carriers()
    return carriers.map((carrier) =>
      this.#core.market.quote({
        carrier,
        city: request.city,
        from: request.from,
        to: request.to,
        weightG: request.weightG ?? 1_000,
        at,
        orderKey: request.orderKey,
      })
    )
  }

  records(options: { carrier?: string; summary?: boolean } = {}): SandboxRecords {
    const core = this.#core
    const carriers = options.carrier
      ? [options.carrier]
      : [...new Set([...core.carriers(), ...core.recorder.carriers()])]
    const records: SandboxRecords = {
      now: core.clock.now().toISOString(),
      carriers: Object.fromEntries(
        carriers.map((carrier) => [
          carrier,
          { ...core.recorder.tally(carrier), states: this.#stateCounts(carrier) },
        ])
      ),
    }
    if (!options.summary) {
      records.deliveries = core.deliveries.list(options.carrier).map(summarize)
      const callbacks = core.recorder.callbacks(options.carrier)
      records.callbacks = callbacks.entries
      records.callbacksTruncated = callbacks.truncated
    }
    return records
  }

  delivery(carrier: string, id: string) {
    const record = this.#core.deliveries.find(carrier, id)
    if (!record) return undefined
    return {
      ...summarize(record),
      rider: record.delivery.rider,
      riderPosition: this.#core.context.riderPosition(record.delivery),
      extra: record.delivery.extra,
      conditions: record.conditions,
      plan: record.plan.map((step) => ({
        at: new Date(record.planStartMs + step.offsetS * 1000).toISOString(),
        state: step.state,
        riderIndex: step.riderIndex,
        note: step.note,
      })),
    }
  }

  reset(options: { accounts?: boolean } = {}): void {
    this.#core.reset(options)
  }

  /** Resolves once `predicate` holds, polling; rejects after `timeoutMs`. */
  async waitFor(
    predicate: () => boolean,
    options: { timeoutMs?: number; intervalMs?: number } = {}
  ) {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000)
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error('Timed out waiting for the sandbox')
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 10))
    }
  }

  /** Every delivery finished (delivered or cancelled) and every callback answered or given up. */
  settled(options: { timeoutMs?: number } = {}): Promise<void> {
    return this.waitFor(
      () =>
        this.#core.dispatcher.pending === 0 &&
        this.#core.deliveries
          .list()
          .every((record) => TERMINAL_STATES.includes(record.delivery.state)),
      options
    )
  }

  #stateCounts(carrier: string): Record<SandboxDeliveryState, number> {
    const counts = Object.fromEntries(STATES.map((state) => [state, 0])) as Record<
      SandboxDeliveryState,
      number
    >
    for (const record of this.#core.deliveries.list(carrier)) counts[record.delivery.state]++
    return counts
  }
}

function summarize(record: DeliveryRecord): DeliverySummary {
  const { delivery } = record
  const summary: DeliverySummary = {
    carrier: delivery.carrier,
    carrierOrderId: delivery.carrierOrderId,
    clientOrderId: delivery.clientOrderId,
    accountKey: delivery.accountKey,
    city: delivery.city,
    state: delivery.state,
    feeFen: delivery.feeFen,
    tipFen: delivery.tipFen,
    createdAt: delivery.createdAt.toISOString(),
    history: delivery.history.map((entry) => {
      const item: DeliverySummary['history'][number] = {
        state: entry.state,
        at: entry.at.toISOString(),
      }
      if (entry.rider) item.riderId = entry.rider.id
      if (entry.note) item.note = entry.note
      return item
    }),
  }
  if (delivery.cancellation) {
    summary.cancellation = { ...delivery.cancellation, at: delivery.cancellation.at.toISOString() }
  }
  return summary
}
