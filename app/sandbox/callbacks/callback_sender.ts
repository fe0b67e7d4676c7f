/**
 * POSTs signed callbacks the way carriers do: a few retries with growing pauses when
 * the receiver is down or answers non-2xx, a bounded number in flight, and only to
 * this machine (the sandbox never sends traffic elsewhere).
 *
 * The POSTs go through a keep-alive undici Agent, not the global fetch: the sandbox
 * shares the benchmark machine with the hub, and fetch's WHATWG objects cost ~3x
 * the CPU of the exchange (docs/performance.md, "Carrier HTTP client").
 */
import { Agent } from 'undici'
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
}

/**
 * One per process: every sender talks to the same hub. `concurrency` bounds the
 * sockets; idle ones are unreferenced, so they never keep the process alive.
 */
const callbackAgent = new Agent({ keepAliveTimeout: 4_000 })

/** Same text the fetch-based sender recorded, so callback logs read as before. */
const timeoutReason = () =>
  new DOMException('The operation was aborted due to timeout', 'TimeoutError')

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
  #inFlight = 0
  /** Waiting senders, oldest first (array plus head index: shift() is O(n) on long queues). */
  #waiting: (() => void)[] = []
  #waitingHead = 0
  #timers = new Set<NodeJS.Timeout>()
  #abort = new AbortController()
  /** One per POST under way: cheaper than AbortSignal.any + AbortSignal.timeout each. */
  #requests = new Set<AbortController>()

  constructor(options: CallbackSenderOptions) {
    this.#options = options
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
    for (const request of this.#requests) request.abort()
    this.#requests.clear()
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
    const request = new AbortController()
    // abortAll may have run while this one waited for a slot.
    if (signal.aborted) request.abort()
    else this.#requests.add(request)
    // Covers the whole exchange, draining the answer included, as fetch's signal did.
    const timer = setTimeout(() => request.abort(timeoutReason()), this.#options.timeoutMs)
    try {
      const url = new URL(callback.url)
      const response = await callbackAgent.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: 'POST',
        headers: callback.headers,
        body: callback.body,
        signal: request.signal,
      })
      // Drain the body so the keep-alive connection can be reused.
      await response.body.dump().catch(() => undefined)
      const status = response.statusCode
      return status >= 200 && status < 300
        ? { ok: true, httpStatus: status }
        : { ok: false, httpStatus: status, error: `HTTP ${status}` }
    } catch (error) {
      return { ok: false, httpStatus: null, error: (error as Error).message }
    } finally {
      clearTimeout(timer)
      this.#requests.delete(request)
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
