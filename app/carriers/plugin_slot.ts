/**
 * Everything about one plugin id on this node: its active worker, workers still
 * draining after an upgrade, crash restarts with backoff, and call statistics.
 * Lifecycle operations (start, upgrade, disable) run one at a time per slot.
 */
import type { Manifest } from '#sdk/manifest'
import { CAPABILITY_METHODS } from '#sdk/manifest'
import { EgressPolicy } from '#sdk/egress_policy'
import { performHostFetch } from '#carriers/host_fetch'
import { PluginLoadError, PluginTimeoutError, PluginUnavailableError } from '#carriers/host_errors'
import type { PluginHostOptions } from '#carriers/host_options'
import { PluginWorker, type WorkerHeap } from '#carriers/plugin_worker'
import type { CallAccount, LogLevel } from '#carriers/worker_protocol'

export type SlotState = 'loading' | 'ready' | 'restarting' | 'disabled' | 'stopped'

export interface LoadedVersion {
  dir: string
  manifest: Manifest
}

export interface SlotStats {
  calls: number
  failures: number
  timeouts: number
  crashes: number
  restarts: number
  lastCrash: { at: string; reason: string } | null
}

export interface SlotStatus extends SlotStats {
  id: string
  version: string
  state: SlotState
  enabled: boolean
  inFlight: number
  drainingWorkers: number
  worker: {
    threadId: number | null
    generation: number
    startedAt: string
    heap: WorkerHeap | null
  } | null
}

export class PluginSlot {
  readonly id: string
  #current: LoadedVersion
  #options: PluginHostOptions
  #state: SlotState = 'loading'
  #active: PluginWorker | null = null
  #draining = new Set<PluginWorker>()
  #readyWaiters: Array<() => void> = []
  #operations: Promise<unknown> = Promise.resolve()
  #consecutiveCrashes = 0
  #restartTimer: NodeJS.Timeout | null = null
  readonly stats: SlotStats = {
    calls: 0,
    failures: 0,
    timeouts: 0,
    crashes: 0,
    restarts: 0,
    lastCrash: null,
  }

  constructor(loaded: LoadedVersion, options: PluginHostOptions) {
    this.id = loaded.manifest.id
    this.#current = loaded
    this.#options = options
  }

  get manifest(): Manifest {
    return this.#current.manifest
  }

  get dir(): string {
    return this.#current.dir
  }

  get state(): SlotState {
    return this.#state
  }

  /** Starts the first worker. Rejects (and leaves the slot stopped) when the plugin cannot load. */
  start(): Promise<void> {
    return this.#serialize(async () => {
      this.#state = 'loading'
      try {
        this.#activate(await this.#spawn(this.#current))
      } catch (error) {
        this.#state = 'stopped'
        throw error
      }
    })
  }

  /**
   * Blue/green: start the new version beside the old one, smoke-test it, switch new
   * calls to it, let the old worker finish what it has, then stop the old worker.
   * If the new version fails to start, the old one keeps serving.
   */
  upgrade(next: LoadedVersion): Promise<void> {
    return this.#serialize(async () => {
      if (this.#state === 'disabled' || this.#state === 'stopped') {
        // Nothing runs: remember the version, it starts on enable().
        this.#current = next
        return
      }
      const fresh = await this.#spawn(next)
      this.#cancelRestart()
      const previous = this.#active
      this.#current = next
      this.#consecutiveCrashes = 0
      this.#activate(fresh)
      if (previous) await this.#retire(previous, `replaced by ${next.manifest.version}`)
    })
  }

  /** Stops taking calls, lets calls in flight finish, stops the worker. */
  disable(): Promise<void> {
    return this.#serialize(async () => {
      this.#state = 'disabled'
      this.#cancelRestart()
      const previous = this.#active
      this.#active = null
      this.#wakeReadyWaiters()
      if (previous) await this.#retire(previous, 'disabled')
    })
  }

  /** Starts the loaded version again after disable(). */
  enable(): Promise<void> {
    return this.#serialize(async () => {
      if (this.#state !== 'disabled' && this.#state !== 'stopped') return
      this.#state = 'loading'
      try {
        this.#activate(await this.#spawn(this.#current))
      } catch (error) {
        this.#state = 'disabled'
        throw error
      }
    })
  }

  /** Disables and forgets the slot; waits for the draining workers too. */
  async stop(): Promise<void> {
    await this.disable()
    this.#state = 'stopped'
    await Promise.all([...this.#draining].map((worker) => worker.terminate('stopped')))
  }

  async call(
    method: string,
    args: unknown[],
    account: CallAccount,
    timeoutMs: number
  ): Promise<unknown> {
    const deadline = Date.now() + timeoutMs
    const worker = await this.#activeWorker(deadline, method)
    this.stats.calls++
    return worker.call(method, args, account, Math.max(1, deadline - Date.now()))
  }

  /** The host decides what a failure is (it also rejects malformed answers); the slot keeps the counts. */
  recordFailure(error: unknown): void {
    this.stats.failures++
    if (error instanceof PluginTimeoutError) this.stats.timeouts++
  }

  async status(): Promise<SlotStatus> {
    const active = this.#active
    return {
      id: this.id,
      version: this.#current.manifest.version,
      state: this.#state,
      enabled: this.#state !== 'disabled' && this.#state !== 'stopped',
      inFlight:
        (active?.inFlight ?? 0) +
        [...this.#draining].reduce((sum, worker) => sum + worker.inFlight, 0),
      drainingWorkers: this.#draining.size,
      worker: active
        ? {
            threadId: active.threadId,
            generation: active.generation,
            startedAt: new Date(active.startedAt).toISOString(),
            heap: await active.heap(),
          }
        : null,
      ...this.stats,
    }
  }

  #serialize<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.#operations.then(operation, operation)
    this.#operations = run.catch(() => undefined)
    return run
  }

  async #spawn(loaded: LoadedVersion): Promise<PluginWorker> {
    const { manifest, dir } = loaded
    const policy = new EgressPolicy([...manifest.egress, ...this.#options.extraEgress])
    const worker = new PluginWorker({
      pluginId: manifest.id,
      version: manifest.version,
      dir,
      entry: manifest.entry,
      heapLimitMb: this.#options.heapLimitMb,
      startTimeoutMs: this.#options.startTimeoutMs,
      livenessTimeoutMs: this.#options.livenessTimeoutMs,
      fetch: (request) =>
        performHostFetch(request, policy, this.#options.fetch, this.#options.fetchImplementation),
      log: (level, message, fields) => this.#log(level, message, fields),
      onUnexpectedExit: (crashed, reason) => this.#onCrash(crashed, reason),
    })
    const handshake = await worker.start()
    try {
      if (handshake.methods) {
        const missing = manifest.capabilities
          .map((capability) => CAPABILITY_METHODS[capability])
          .filter((method) => !handshake.methods!.includes(method))
        if (missing.length > 0) {
          throw new PluginLoadError(
            `Plugin "${manifest.id}@${manifest.version}" declares capabilities it does not implement: ${missing.join(', ')}()`
          )
        }
      }
      // Smoke call: the event loop answers, so the new worker can take traffic.
      await worker.ping(this.#options.startTimeoutMs)
    } catch (error) {
      await worker.terminate('failed its smoke test')
      throw error instanceof PluginLoadError
        ? error
        : new PluginLoadError(
            `Plugin "${manifest.id}@${manifest.version}" failed its smoke test: ${(error as Error).message}`
          )
    }
    return worker
  }

  #activate(worker: PluginWorker): void {
    this.#active = worker
    this.#state = 'ready'
    this.#wakeReadyWaiters()
  }

  async #retire(worker: PluginWorker, why: string): Promise<void> {
    this.#draining.add(worker)
    try {
      const drained = await worker.drain(this.#options.drainTimeoutMs)
      if (!drained)
        this.#log('warn', 'worker did not drain in time; stopping it', {
          generation: worker.generation,
        })
      await worker.terminate(why)
    } finally {
      this.#draining.delete(worker)
    }
  }

  async #activeWorker(deadline: number, method: string): Promise<PluginWorker> {
    for (;;) {
      if (this.#active && this.#state === 'ready') return this.#active
      if (this.#state === 'disabled' || this.#state === 'stopped') {
        throw new PluginUnavailableError(`Plugin "${this.id}" is ${this.#state}`)
      }
      const remaining = deadline - Date.now()
      if (remaining <= 0) {
        throw new PluginTimeoutError(
          `${this.id}.${method}: plugin was ${this.#state} and not ready in time`
        )
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining)
        this.#readyWaiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  #wakeReadyWaiters(): void {
    const waiters = this.#readyWaiters
    this.#readyWaiters = []
    for (const wake of waiters) wake()
  }

  #onCrash(worker: PluginWorker, reason: string): void {
    this.#draining.delete(worker)
    if (worker !== this.#active) return // a draining worker; its callers already got errors
    this.stats.crashes++
    this.stats.lastCrash = { at: new Date().toISOString(), reason }
    this.#log('error', 'plugin worker crashed', { reason, generation: worker.generation })
    const ranFor = Date.now() - worker.startedAt
    this.#consecutiveCrashes =
      ranFor >= this.#options.stableAfterMs ? 1 : this.#consecutiveCrashes + 1
    this.#active = null
    this.#state = 'restarting'
    this.#scheduleRestart()
  }

  #scheduleRestart(): void {
    const backoff = this.#options.restartBackoffMs
    const delay = backoff[Math.min(this.#consecutiveCrashes - 1, backoff.length - 1)] ?? 0
    this.#cancelRestart()
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = null
      void this.#serialize(async () => {
        if (this.#state !== 'restarting') return
        try {
          this.stats.restarts++
          this.#activate(await this.#spawn(this.#current))
        } catch (error) {
          this.#consecutiveCrashes++
          this.stats.lastCrash = { at: new Date().toISOString(), reason: (error as Error).message }
          this.#log('error', 'plugin restart failed', { error: (error as Error).message })
          this.#scheduleRestart()
        }
      })
    }, delay)
  }

  #cancelRestart(): void {
    if (this.#restartTimer) clearTimeout(this.#restartTimer)
    this.#restartTimer = null
  }

  #log(level: LogLevel, message: string, fields: Record<string, unknown>): void {
    this.#options.logger[level](
      { plugin: this.id, version: this.#current.manifest.version, ...fields },
      message
    )
  }
}
