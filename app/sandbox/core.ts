/**
 * The sandbox's state and machinery in one place: clock and scheduler, weather and
 * market, quotes, accounts, deliveries and their life cycles, fault knobs, callback
 * delivery and records. The HTTP server, the control API and the emulators' context
 * are thin layers over it.
 */
import { AccountBook } from '#sandbox/accounts'
import { CallbackDispatcher } from '#sandbox/callbacks/callback_dispatcher'
import { CallbackSender } from '#sandbox/callbacks/callback_sender'
import { SandboxClock } from '#sandbox/clock'
import { DeliveryStore, type DeliveryRecord } from '#sandbox/deliveries/delivery_store'
import { LifecycleRunner } from '#sandbox/deliveries/lifecycle_runner'
import type { CarrierEmulator, EmulatorContext } from '#sandbox/emulator'
import { FaultBook, type FaultPatch } from '#sandbox/faults'
import type { ProfileRegistry } from '#sandbox/market/carrier_profile'
import { Market } from '#sandbox/market/market'
import { WeatherBoard } from '#sandbox/market/weather_model'
import { QuoteBook } from '#sandbox/quote_book'
import { seededUnit } from '#sandbox/random'
import { SandboxRecorder } from '#sandbox/records'
import { SandboxScheduler } from '#sandbox/scheduler'
import { createEmulatorContext } from '#sandbox/emulator_context'

export interface SandboxCoreOptions {
  seed: number
  /** Sandbox minutes per real second. */
  speed: number
  /** Sandbox time at start (default: now). */
  startAt?: Date
  faults?: Record<string, FaultPatch>
  /** Base for relative callback URLs (`/api/v1/webhooks/12`); must be on this machine. */
  hubUrl?: string
  emulators: CarrierEmulator[]
  /** Replaces the market's carrier profiles (tests). */
  profiles?: ProfileRegistry
  /** Wall-clock lifetime of a quote token. */
  quoteTtlMs?: number
  callbackRetryDelaysMs?: number[]
  callbackTimeoutMs?: number
  callbackConcurrency?: number
  /** A held (out-of-order) callback goes out after this long if no newer one comes. */
  releaseHeldCallbackAfterMs?: number
  onError?: (error: unknown) => void
}

export class SandboxCore {
  readonly seed: number
  readonly hubUrl: string | undefined
  readonly clock: SandboxClock
  readonly scheduler: SandboxScheduler
  readonly weather: WeatherBoard
  readonly market: Market
  readonly quotes: QuoteBook
  readonly accounts = new AccountBook()
  readonly faults: FaultBook
  readonly recorder = new SandboxRecorder()
  readonly deliveries = new DeliveryStore()
  readonly runner: LifecycleRunner
  readonly dispatcher: CallbackDispatcher
  readonly emulators: ReadonlyMap<string, CarrierEmulator>
  readonly context: EmulatorContext
  readonly #options: SandboxCoreOptions

  constructor(options: SandboxCoreOptions) {
    this.#options = options
    this.seed = options.seed
    this.hubUrl = options.hubUrl
    this.clock = new SandboxClock({ speed: options.speed, startAt: options.startAt })
    this.scheduler = new SandboxScheduler(this.clock, options.onError)
    this.weather = new WeatherBoard(options.seed)
    this.market = new Market({
      seed: options.seed,
      profiles: options.profiles,
      weather: (city, at) => this.weather.current(city, at),
    })
    this.quotes = new QuoteBook({ seed: options.seed, ttlMs: options.quoteTtlMs ?? 10 * 60_000 })
    this.faults = new FaultBook(options.faults)
    this.emulators = new Map(options.emulators.map((emulator) => [emulator.carrier, emulator]))
    this.accounts.registerDefaults(options.emulators)
    this.runner = new LifecycleRunner({
      seed: options.seed,
      clock: this.clock,
      scheduler: this.scheduler,
      market: this.market,
      onChange: (record, at) => this.#notify(record, at),
    })
    this.dispatcher = new CallbackDispatcher({
      seed: options.seed,
      faults: this.faults,
      recorder: this.recorder,
      releaseHeldAfterMs: options.releaseHeldCallbackAfterMs ?? 250,
      sender: new CallbackSender({
        retryDelaysMs: options.callbackRetryDelaysMs ?? [1_000, 3_000, 10_000],
        timeoutMs: options.callbackTimeoutMs ?? 5_000,
        concurrency: options.callbackConcurrency ?? 64,
      }),
    })
    this.context = createEmulatorContext(this)
  }

  /** Carriers the sandbox serves (emulators) plus those with a market profile. */
  carriers(): string[] {
    return [...new Set([...this.emulators.keys(), ...this.market.carriers()])]
  }

  /**
   * Back to a fresh start: no deliveries, quotes, records, weather overrides or
   * queued callbacks; faults and clock as given at start. Accounts stay (they are
   * configuration) unless `accounts` is true.
   */
  reset(options: { accounts?: boolean } = {}): void {
    this.scheduler.clear()
    this.dispatcher.abortAll()
    this.deliveries.clear()
    this.quotes.clear()
    this.recorder.reset()
    this.weather.clear()
    this.faults.reset()
    this.clock.set({
      speed: this.#options.speed,
      at: this.#options.startAt ?? this.clock.wallNow(),
    })
    if (options.accounts) {
      this.accounts.clear()
      this.accounts.registerDefaults(this.emulators.values())
    }
  }

  stop(): void {
    this.scheduler.stop()
    this.dispatcher.abortAll()
  }

  /** A state change happened: have the emulator sign its callback and queue it. */
  #notify(record: DeliveryRecord, at: Date): void {
    const { delivery } = record
    const eventSeq = ++record.eventSeq
    record.lastPushMs = Math.max(this.clock.wallNow().getTime(), record.lastPushMs + 1_000)
    const tally = this.recorder.tally(delivery.carrier)
    if (eventSeq > 1) tally.deliveries.transitions++
    const emulator = this.emulators.get(delivery.carrier)
    const account = this.accounts.get(delivery.carrier, delivery.accountKey)
    const knobs = this.faults.for(delivery.carrier)
    const forged =
      seededUnit(
        this.seed,
        'callback-fault',
        'forge',
        delivery.carrier,
        delivery.carrierOrderId,
        eventSeq
      ) < knobs.badSignatureRate
    const entry = this.recorder.logCallback({
      carrier: delivery.carrier,
      carrierOrderId: delivery.carrierOrderId,
      clientOrderId: delivery.clientOrderId,
      eventSeq,
      state: delivery.state,
      url: null,
      forged,
      duplicate: false,
      reordered: false,
      attempts: 0,
      httpStatus: null,
      outcome: 'pending',
    })
    let signed = null
    try {
      signed =
        emulator && account
          ? emulator.callback(delivery, account, at, {
              eventSeq,
              forgeSignature: forged,
              sentAt: new Date(record.lastPushMs),
            })
          : null
    } catch (error) {
      entry.error = `emulator.callback failed: ${(error as Error).message}`
    }
    if (!signed) {
      entry.outcome = 'skipped'
      entry.error ??= account ? 'no callback URL' : `no sandbox account "${delivery.accountKey}"`
      tally.callbacks.skipped++
      return
    }
    const url = this.#resolveUrl(signed.url)
    entry.url = url
    tally.callbacks.emitted++
    if (forged) tally.callbacks.forged++
    this.dispatcher.dispatch({ entry, signed: { ...signed, url } })
  }

  #resolveUrl(url: string): string {
    if (/^https?:\/\//i.test(url) || !this.hubUrl) return url
    return new URL(url, this.hubUrl).toString()
  }
}
