/**
 * A circuit breaker for one carrier account. After `failureThreshold` consecutive
 * failures it opens and calls fail fast; after `openMs` it lets `halfOpenMaxCalls`
 * trial calls through; one success closes it, one failure re-opens it.
 * Business answers (no capacity, rejected order) are not failures: see
 * CarrierError.countsAsFailure.
 */

export type BreakerState = 'closed' | 'open' | 'half_open'

export interface BreakerOptions {
  failureThreshold: number
  openMs: number
  halfOpenMaxCalls: number
}

export const DEFAULT_BREAKER_OPTIONS: BreakerOptions = {
  failureThreshold: 5,
  openMs: 30_000,
  halfOpenMaxCalls: 1,
}

export interface BreakerFailure {
  name: string
  code: string
  message: string
  at: string
}

/** What the API shows about an account's health. */
export interface BreakerSnapshot {
  state: BreakerState
  healthy: boolean
  consecutiveFailures: number
  calls: number
  failures: number
  lastFailure: BreakerFailure | null
  lastSuccessAt: string | null
  openedAt: string | null
  /** When an open breaker will let a trial call through. */
  retryAt: string | null
}

export class CircuitBreaker {
  #state: BreakerState = 'closed'
  #consecutiveFailures = 0
  #calls = 0
  #failures = 0
  #halfOpenInFlight = 0
  #openedAt: number | null = null
  #lastFailure: BreakerFailure | null = null
  #lastSuccessAt: number | null = null
  readonly #options: BreakerOptions
  readonly #now: () => number

  constructor(options: Partial<BreakerOptions> = {}, now: () => number = Date.now) {
    this.#options = { ...DEFAULT_BREAKER_OPTIONS, ...options }
    this.#now = now
  }

  get state(): BreakerState {
    this.#advance()
    return this.#state
  }

  /** Reserves a slot for a call; false means fail fast. Pair with onSuccess/onFailure/release. */
  tryAcquire(): boolean {
    this.#advance()
    if (this.#state === 'closed') return true
    if (this.#state === 'open') return false
    if (this.#halfOpenInFlight >= this.#options.halfOpenMaxCalls) return false
    this.#halfOpenInFlight++
    return true
  }

  onSuccess(): void {
    this.#calls++
    this.#consecutiveFailures = 0
    this.#lastSuccessAt = this.#now()
    if (this.#state === 'half_open') {
      this.#halfOpenInFlight = Math.max(0, this.#halfOpenInFlight - 1)
      this.#state = 'closed'
      this.#openedAt = null
    }
  }

  onFailure(error: { name: string; code?: string; message: string }): void {
    this.#calls++
    this.#failures++
    this.#consecutiveFailures++
    this.#lastFailure = {
      name: error.name,
      code: error.code ?? 'unknown',
      message: error.message,
      at: new Date(this.#now()).toISOString(),
    }
    if (this.#state === 'half_open') {
      this.#halfOpenInFlight = Math.max(0, this.#halfOpenInFlight - 1)
      this.#open()
    } else if (
      this.#state === 'closed' &&
      this.#consecutiveFailures >= this.#options.failureThreshold
    ) {
      this.#open()
    }
  }

  /** A call that ended with a business answer: counts as a call, changes nothing else. */
  onNeutral(): void {
    this.#calls++
    if (this.#state === 'half_open') {
      this.#halfOpenInFlight = Math.max(0, this.#halfOpenInFlight - 1)
      this.#state = 'closed'
      this.#consecutiveFailures = 0
      this.#openedAt = null
    }
  }

  /** Puts the breaker back to closed, e.g. after an admin fixed the account or upgraded the plugin. */
  reset(): void {
    this.#state = 'closed'
    this.#consecutiveFailures = 0
    this.#halfOpenInFlight = 0
    this.#openedAt = null
  }

  snapshot(): BreakerSnapshot {
    this.#advance()
    const iso = (value: number | null) => (value === null ? null : new Date(value).toISOString())
    return {
      state: this.#state,
      healthy: this.#state === 'closed' && this.#consecutiveFailures === 0,
      consecutiveFailures: this.#consecutiveFailures,
      calls: this.#calls,
      failures: this.#failures,
      lastFailure: this.#lastFailure,
      lastSuccessAt: iso(this.#lastSuccessAt),
      openedAt: iso(this.#openedAt),
      retryAt:
        this.#state === 'open' && this.#openedAt !== null
          ? iso(this.#openedAt + this.#options.openMs)
          : null,
    }
  }

  #open(): void {
    this.#state = 'open'
    this.#openedAt = this.#now()
  }

  #advance(): void {
    if (
      this.#state === 'open' &&
      this.#openedAt !== null &&
      this.#now() - this.#openedAt >= this.#options.openMs
    ) {
      this.#state = 'half_open'
      this.#halfOpenInFlight = 0
    }
  }
}
