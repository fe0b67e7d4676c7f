/**
 * The sandbox clock. It runs `speed` sandbox minutes per real second (speed 1: a
 * 30-minute delivery takes 30 s; speed 60: half a second), can be paused (speed 0),
 * set to a moment (to demo the lunch rush) or jumped forward. Market prices, weather
 * and delivery timelines use it; signatures use the wall clock (see EmulatorContext).
 */

export interface ClockSettings {
  /** Sandbox minutes per real second; 0 pauses the sandbox. */
  speed?: number
  /** Jump to this sandbox time. */
  at?: Date
  /** Move the sandbox time by this many minutes (negative goes back). */
  offsetMinutes?: number
}

export interface ClockSnapshot {
  now: string
  wallNow: string
  speed: number
}

const MAX_SPEED = 10_000

export class SandboxClock {
  #speed: number
  /** Sandbox and wall time at the last change; now = anchor + elapsed wall × factor. */
  #anchorSandboxMs: number
  #anchorWallMs: number
  #listeners = new Set<() => void>()
  readonly #wall: () => number

  constructor(options: { speed: number; startAt?: Date; wall?: () => number }) {
    this.#wall = options.wall ?? Date.now
    this.#speed = checkedSpeed(options.speed)
    this.#anchorWallMs = this.#wall()
    this.#anchorSandboxMs = options.startAt?.getTime() ?? this.#anchorWallMs
  }

  get speed(): number {
    return this.#speed
  }

  nowMs(): number {
    return this.#anchorSandboxMs + (this.#wall() - this.#anchorWallMs) * this.#factor()
  }

  now(): Date {
    return new Date(Math.floor(this.nowMs()))
  }

  wallNow(): Date {
    return new Date(this.#wall())
  }

  /** Real milliseconds until `sandboxMs` arrives (Infinity while paused). */
  realDelayUntil(sandboxMs: number): number {
    const ahead = sandboxMs - this.nowMs()
    if (ahead <= 0) return 0
    const factor = this.#factor()
    return factor === 0 ? Number.POSITIVE_INFINITY : ahead / factor
  }

  set(settings: ClockSettings): ClockSnapshot {
    const now = this.nowMs()
    this.#anchorWallMs = this.#wall()
    this.#anchorSandboxMs = settings.at ? settings.at.getTime() : now
    if (settings.offsetMinutes !== undefined)
      this.#anchorSandboxMs += settings.offsetMinutes * 60_000
    if (settings.speed !== undefined) this.#speed = checkedSpeed(settings.speed)
    for (const listener of this.#listeners) listener()
    return this.snapshot()
  }

  /** Called after every change, so the scheduler can re-arm its timer. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  snapshot(): ClockSnapshot {
    return {
      now: this.now().toISOString(),
      wallNow: this.wallNow().toISOString(),
      speed: this.#speed,
    }
  }

  /** Sandbox milliseconds per real millisecond. */
  #factor(): number {
    return this.#speed * 60
  }
}

function checkedSpeed(speed: number): number {
  if (!Number.isFinite(speed) || speed < 0 || speed > MAX_SPEED) {
    throw new RangeError(`speed must be between 0 and ${MAX_SPEED} sandbox minutes per second`)
  }
  return speed
}
