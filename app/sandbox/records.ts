/**
 * What the sandbox saw and did, per carrier: quotes, deliveries, API calls and
 * injected faults, callbacks sent/failed/duplicated/forged. Tests and benchmarks
 * compare these counts with the hub's own (`GET /_control/records`).
 */

export interface CarrierTally {
  requests: {
    total: number
    injectedErrors: number
    timeouts: number
    outages: number
    handlerErrors: number
  }
  quotes: { ok: number; no_capacity: number; out_of_range: number }
  deliveries: { created: number; idempotentReplays: number; transitions: number }
  callbacks: {
    /** State changes that produced a callback. */
    emitted: number
    /** Callbacks the receiver answered 2xx (first copies only). */
    sent: number
    /** Callbacks given up after every retry. */
    failed: number
    /** State changes without a callback (no account, no URL). */
    skipped: number
    /** Extra copies sent by the duplicate knob. */
    duplicated: number
    forged: number
    reordered: number
    /** Retry attempts after a failed POST. */
    retries: number
  }
}

export type CallbackOutcome = 'pending' | 'sent' | 'failed' | 'skipped'

export interface CallbackLogEntry {
  seq: number
  carrier: string
  carrierOrderId: string
  clientOrderId: string
  eventSeq: number
  state: string
  url: string | null
  forged: boolean
  duplicate: boolean
  reordered: boolean
  attempts: number
  httpStatus: number | null
  outcome: CallbackOutcome
  error?: string
  /** Wall-clock time of the first attempt. */
  firstAttemptAt?: string
}

/** Detailed callback entries kept at most; counts go on past it. */
const MAX_CALLBACK_LOG = 200_000

function emptyTally(): CarrierTally {
  return {
    requests: { total: 0, injectedErrors: 0, timeouts: 0, outages: 0, handlerErrors: 0 },
    quotes: { ok: 0, no_capacity: 0, out_of_range: 0 },
    deliveries: { created: 0, idempotentReplays: 0, transitions: 0 },
    callbacks: {
      emitted: 0,
      sent: 0,
      failed: 0,
      skipped: 0,
      duplicated: 0,
      forged: 0,
      reordered: 0,
      retries: 0,
    },
  }
}

export class SandboxRecorder {
  #tallies = new Map<string, CarrierTally>()
  #callbacks: CallbackLogEntry[] = []
  #seq = 0
  #truncated = false

  tally(carrier: string): CarrierTally {
    let tally = this.#tallies.get(carrier)
    if (!tally) {
      tally = emptyTally()
      this.#tallies.set(carrier, tally)
    }
    return tally
  }

  carriers(): string[] {
    return [...this.#tallies.keys()]
  }

  /** Starts a log entry; the dispatcher fills in attempts and the outcome as it goes. */
  logCallback(entry: Omit<CallbackLogEntry, 'seq'>): CallbackLogEntry {
    const logged = { seq: ++this.#seq, ...entry }
    if (this.#callbacks.length < MAX_CALLBACK_LOG) this.#callbacks.push(logged)
    else this.#truncated = true
    return logged
  }

  callbacks(carrier?: string): { entries: CallbackLogEntry[]; truncated: boolean } {
    return {
      entries: carrier
        ? this.#callbacks.filter((entry) => entry.carrier === carrier)
        : [...this.#callbacks],
      truncated: this.#truncated,
    }
  }

  reset(): void {
    this.#tallies.clear()
    this.#callbacks = []
    this.#seq = 0
    this.#truncated = false
  }
}
