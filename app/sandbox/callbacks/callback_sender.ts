/**
 * POSTs signed callbacks the way carriers do: a few retries with growing pauses when
 * the receiver is down or answers non-2xx, a bounded number in flight, and only to
 * this machine (the sandbox never sends traffic elsewhere).
 */
import type { SignedCallback } from '#sandbox/emulator'

export interface SendResult {
  ok: boolean
  httpStatus: number | null
  attempts: number
  error?: string
}

export interface CallbackSenderOptions {
  /** Pause before each retry, ms; its length is the number of retries. */
  retryDelaysMs: number[]
  timeoutMs: number
  concurrency: number
  fetch?: typeof globalThis.fetch
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1'])

export function isLoopbackUrl(url: string): boolean {
  try {
    const parsed = new URL(url)
    return (
      (parsed.protocol === 'http:' || parsed.protocol === 'https:') &&
      LOOPBACK_HOSTS.has(parsed.hostname)
    )
  } catch {
    return false
  }
}

export class CallbackSender {
  readonly #options: CallbackSenderOptions
  readonly #fetch: typeof globalThis.fetch
  #inFlight = 0
  /** Waiting senders, oldest first (array plus head index: shift() is O(n) on long queues). */
  #waiting: (() => void)[] = []
  #waitingHead = 0
  #timers = new Set<NodeJS.Timeout>()
  #abort = new AbortController()

  constructor(options: CallbackSenderOptions) {
    this.#options = options
    this.#fetch = options.fetch ?? globalThis.fetch
  }

  /** Resolves after success or the last retry; never rejects. `onAttempt` sees each attempt as it starts. */
  async deliver(
    callback: SignedCallback,
    onAttempt: (attempt: number) => void = () => {}
  ): Promise<SendResult> {
    if (!isLoopbackUrl(callback.url)) {
      return {
        ok: false,
        httpStatus: null,
        attempts: 0,
        error: 'callback URL must be on 127.0.0.1/localhost',
      }
    }
    const signal = this.#abort.signal
    let last: SendResult = { ok: false, httpStatus: null, attempts: 0 }
    for (let attempt = 1; attempt <= this.#options.retryDelaysMs.length + 1; attempt++) {
      if (signal.aborted) return { ...last, error: 'sandbox stopped or reset' }
      if (attempt > 1) await this.sleep(this.#options.retryDelaysMs[attempt - 2])
      onAttempt(attempt)
      last = { ...(await this.#post(callback, signal)), attempts: attempt }
      if (last.ok) return last
    }
    return last
  }

  /** A pause that reset/stop cut short (it then never resolves: the flow is abandoned). */
  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer)
        resolve()
      }, ms)
      this.#timers.add(timer)
    })
  }

  /** Abandons everything in flight or waiting (reset and stop). */
  abortAll(): void {
    this.#abort.abort()
    this.#abort = new AbortController()
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
    this.#waiting = []
    this.#waitingHead = 0
    this.#inFlight = 0
  }

  async #post(
    callback: SignedCallback,
    signal: AbortSignal
  ): Promise<Omit<SendResult, 'attempts'>> {
    await this.#acquire()
    try {
      const response = await this.#fetch(callback.url, {
        method: 'POST',
        headers: callback.headers,
        body: callback.body,
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.#options.timeoutMs)]),
      })
      // Drain the body so the keep-alive connection can be reused.
      await response.arrayBuffer().catch(() => undefined)
      return response.ok
        ? { ok: true, httpStatus: response.status }
        : { ok: false, httpStatus: response.status, error: `HTTP ${response.status}` }
    } catch (error) {
      return { ok: false, httpStatus: null, error: (error as Error).message }
    } finally {
      this.#release()
    }
  }

  #acquire(): Promise<void> {
    if (this.#inFlight < this.#options.concurrency) {
      this.#inFlight++
      return Promise.resolve()
    }
    return new Promise((resolve) => this.#waiting.push(resolve))
  }

  #release(): void {
    if (this.#waitingHead < this.#waiting.length) {
      const next = this.#waiting[this.#waitingHead++]
      if (this.#waitingHead > 1_024 && this.#waitingHead * 2 > this.#waiting.length) {
        this.#waiting = this.#waiting.slice(this.#waitingHead)
        this.#waitingHead = 0
      }
      next()
      return
    }
    this.#inFlight = Math.max(0, this.#inFlight - 1)
  }
}
