/**
 * Runs tasks at sandbox times. One heap and one timer for every delivery, so ten
 * thousand deliveries cost one pending timeout, and a change of clock speed or a
 * jump forward only re-arms that timer.
 */
import type { SandboxClock } from '#sandbox/clock'
import { MinHeap } from '#sandbox/min_heap'

interface Entry {
  atMs: number
  seq: number
  task: () => void
}

/** Tasks run per turn of the event loop before yielding, so a big jump cannot block I/O. */
const BATCH = 2_000
/** Re-check at least this often: a long wait survives wall-clock adjustments. */
const MAX_SLEEP_MS = 1_000

export class SandboxScheduler {
  readonly #clock: SandboxClock
  #heap = new MinHeap<Entry>((a, b) => a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq))
  #seq = 0
  #timer: NodeJS.Timeout | null = null
  #immediate: NodeJS.Immediate | null = null
  #stopped = false
  readonly #unsubscribe: () => void
  readonly #onError: (error: unknown) => void

  constructor(clock: SandboxClock, onError: (error: unknown) => void = () => {}) {
    this.#clock = clock
    this.#onError = onError
    this.#unsubscribe = clock.onChange(() => this.#arm())
  }

  get pending(): number {
    return this.#heap.size
  }

  at(atMs: number, task: () => void): void {
    if (this.#stopped) return
    this.#heap.push({ atMs, seq: this.#seq++, task })
    if (this.#heap.peek()?.seq === this.#seq - 1) this.#arm()
  }

  clear(): void {
    this.#heap.clear()
    this.#disarm()
  }

  stop(): void {
    this.#stopped = true
    this.clear()
    this.#unsubscribe()
  }

  #arm(): void {
    this.#disarm()
    const next = this.#heap.peek()
    if (!next || this.#stopped) return
    const delay = this.#clock.realDelayUntil(next.atMs)
    if (delay === 0) {
      this.#immediate = setImmediate(() => this.#run())
      return
    }
    this.#timer = setTimeout(() => this.#run(), Math.min(Math.ceil(delay), MAX_SLEEP_MS))
  }

  #disarm(): void {
    if (this.#timer) clearTimeout(this.#timer)
    if (this.#immediate) clearImmediate(this.#immediate)
    this.#timer = null
    this.#immediate = null
  }

  #run(): void {
    this.#timer = null
    this.#immediate = null
    const now = this.#clock.nowMs()
    for (let ran = 0; ran < BATCH; ran++) {
      const next = this.#heap.peek()
      if (!next || next.atMs > now) break
      this.#heap.pop()
      try {
        next.task()
      } catch (error) {
        this.#onError(error)
      }
    }
    this.#arm()
  }
}
