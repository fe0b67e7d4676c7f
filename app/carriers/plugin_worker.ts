/**
 * One worker thread running one plugin version. It owns the message protocol with
 * the bootstrap: calls with deadlines, the fetch proxy, log forwarding, liveness
 * pings and draining. Restarting after a crash is the owner's job (PluginSlot).
 */
import { join, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { CarrierError } from '#sdk/errors'
import {
  PluginContractError,
  PluginCrashedError,
  PluginLoadError,
  PluginTimeoutError,
  PluginUnavailableError,
  EgressDeniedError,
  rebuildWorkerError,
} from '#carriers/host_errors'
import { pluginWorkerMain } from '#carriers/worker_bootstrap'
import type {
  CallAccount,
  HostToWorkerMessage,
  LogLevel,
  ProxiedRequest,
  ProxiedResponse,
  ReadyMessage,
  SerializedError,
  WorkerBootData,
  WorkerToHostMessage,
} from '#carriers/worker_protocol'

/*
 * Workers run the bootstrap function's own source (already compiled, whether by the
 * TypeScript runner in development or by tsc in the build). Measured on Node 24: a
 * .ts worker file costs ~20 ms more per start for type stripping, and a file would
 * need its own --allow-fs-read grant; an eval worker needs neither.
 */
const BOOTSTRAP_SOURCE = `(${pluginWorkerMain.toString()})()`

export type WorkerState = 'starting' | 'ready' | 'draining' | 'stopped' | 'crashed'

export interface PluginWorkerOptions {
  pluginId: string
  version: string
  /** Absolute path of the unpacked package folder. */
  dir: string
  /** Entry file relative to `dir`. */
  entry: string
  heapLimitMb: number
  startTimeoutMs: number
  /** How long a worker may take to answer a ping after a call timed out before it counts as hung. */
  livenessTimeoutMs: number
  fetch(request: ProxiedRequest): Promise<ProxiedResponse>
  log(level: LogLevel, message: string, fields: Record<string, unknown>): void
  /** Called once when the worker ends without having been asked to. */
  onUnexpectedExit(worker: PluginWorker, reason: string): void
}

interface PendingCall {
  method: string
  resolve(value: unknown): void
  reject(error: Error): void
  timer: NodeJS.Timeout
  /** Set when the plugin tried a host outside its egress list; the call fails even if the plugin swallowed it. */
  egressDenied: EgressDeniedError | null
}

export interface WorkerHeap {
  usedBytes: number
  totalBytes: number
  limitBytes: number
}

let generationCounter = 0

export class PluginWorker {
  readonly generation = ++generationCounter
  readonly options: PluginWorkerOptions
  #state: WorkerState = 'starting'
  #worker: Worker | null = null
  #handshake: ReadyMessage | null = null
  #nextCallId = 1
  #nextPingId = 1
  #pending = new Map<number, PendingCall>()
  #pings = new Map<number, (heapUsed: number) => void>()
  #drainWaiters: Array<() => void> = []
  #lastError: string | null = null
  #livenessCheck: Promise<void> | null = null
  readonly startedAt = Date.now()

  constructor(options: PluginWorkerOptions) {
    this.options = options
  }

  get state(): WorkerState {
    return this.#state
  }

  get inFlight(): number {
    return this.#pending.size
  }

  get handshake(): ReadyMessage | null {
    return this.#handshake
  }

  get threadId(): number | null {
    return this.#worker?.threadId ?? null
  }

  /** Starts the thread and resolves after the plugin's handshake. */
  start(): Promise<ReadyMessage> {
    const { dir, entry, pluginId, version } = this.options
    const packagePath = dir.endsWith(sep) ? dir : dir + sep
    const boot: WorkerBootData = {
      pluginId,
      version,
      entryUrl: pathToFileURL(join(dir, entry)).href,
      packageUrl: pathToFileURL(packagePath).href,
    }
    const worker = new Worker(BOOTSTRAP_SOURCE, {
      eval: true,
      workerData: boot,
      env: {},
      // Reading its own package is all a plugin needs; Node needs nothing more to start it.
      execArgv: ['--permission', `--allow-fs-read=${packagePath}`],
      resourceLimits: { maxOldGenerationSizeMb: this.options.heapLimitMb, stackSizeMb: 4 },
      stdout: true,
      stderr: true,
      name: `carrier:${pluginId}@${version}`,
    })
    this.#worker = worker
    this.#forwardStream(worker.stdout, 'info')
    this.#forwardStream(worker.stderr, 'warn')

    return new Promise<ReadyMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        fail(`did not finish loading within ${this.options.startTimeoutMs} ms`)
        void worker.terminate()
      }, this.options.startTimeoutMs)
      const fail = (reason: string) => {
        clearTimeout(timer)
        this.#state = 'stopped'
        reject(new PluginLoadError(`Plugin "${pluginId}@${version}" failed to load: ${reason}`))
      }
      worker.on('message', (message: WorkerToHostMessage) => {
        if (message.type === 'ready' && this.#state === 'starting') {
          clearTimeout(timer)
          this.#handshake = message
          this.#state = 'ready'
          resolve(message)
        } else if (message.type === 'fatal') {
          fail(message.error.message)
          void worker.terminate()
        } else {
          this.#onMessage(message)
        }
      })
      worker.on('error', (error) => {
        this.#lastError = describeWorkerError(error, this.options.heapLimitMb)
      })
      worker.on('exit', (code) => {
        if (this.#state === 'starting') {
          fail(this.#lastError ?? `worker exited with code ${code} during start`)
          return
        }
        this.#onExit(code)
      })
    })
  }

  /** Sends one call; rejects with a typed error on timeout, crash or plugin error. */
  call(method: string, args: unknown[], account: CallAccount, timeoutMs: number): Promise<unknown> {
    const worker = this.#worker
    if (!worker || (this.#state !== 'ready' && this.#state !== 'draining')) {
      return Promise.reject(
        new PluginUnavailableError(`Worker for "${this.options.pluginId}" is ${this.#state}`)
      )
    }
    const callId = this.#nextCallId++
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.#pending.delete(callId)) return
        this.#settled()
        reject(
          new PluginTimeoutError(
            `${this.options.pluginId}.${method} did not answer within ${timeoutMs} ms`
          )
        )
        this.#checkLiveness()
      }, timeoutMs)
      this.#pending.set(callId, { method, resolve, reject, timer, egressDenied: null })
      const message: HostToWorkerMessage = { type: 'call', callId, method, args, account }
      try {
        worker.postMessage(message)
      } catch (error) {
        clearTimeout(timer)
        this.#pending.delete(callId)
        reject(
          new PluginContractError(
            `Arguments of ${method} cannot be sent to the worker: ${(error as Error).message}`
          )
        )
      }
    })
  }

  /** Round trip through the worker's event loop; rejects when it does not answer in time. */
  ping(timeoutMs: number): Promise<number> {
    const worker = this.#worker
    if (!worker || this.#state === 'stopped' || this.#state === 'crashed') {
      return Promise.reject(new PluginUnavailableError('worker is not running'))
    }
    const pingId = this.#nextPingId++
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pings.delete(pingId)
        reject(new PluginTimeoutError(`worker did not answer a ping within ${timeoutMs} ms`))
      }, timeoutMs)
      this.#pings.set(pingId, (heapUsed) => {
        clearTimeout(timer)
        resolve(heapUsed)
      })
      worker.postMessage({ type: 'ping', pingId } satisfies HostToWorkerMessage)
    })
  }

  /** Heap figures straight from V8, readable even while the worker is busy. */
  async heap(): Promise<WorkerHeap | null> {
    const worker = this.#worker
    if (!worker || this.#state === 'stopped' || this.#state === 'crashed') return null
    try {
      const stats = await worker.getHeapStatistics()
      return {
        usedBytes: stats.used_heap_size,
        totalBytes: stats.total_heap_size,
        limitBytes: stats.heap_size_limit,
      }
    } catch {
      return null
    }
  }

  /** Stops taking new calls; resolves once the calls in flight have finished (or after timeoutMs). */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.#state === 'ready') this.#state = 'draining'
    if (this.#pending.size === 0) return true
    let timer: NodeJS.Timeout | undefined
    const drained = await Promise.race([
      new Promise<boolean>((resolve) => this.#drainWaiters.push(() => resolve(true))),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs)
      }),
    ])
    clearTimeout(timer)
    return drained
  }

  /** Ends the thread on purpose; calls still pending fail with PluginCrashedError. */
  async terminate(reason = 'stopped by the host'): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'crashed') return
    this.#state = 'stopped'
    this.#rejectAll(new PluginCrashedError(`Worker for "${this.options.pluginId}" ${reason}`))
    await this.#worker?.terminate()
  }

  #onMessage(message: WorkerToHostMessage): void {
    switch (message.type) {
      case 'result':
        this.#onResult(message)
        break
      case 'pong':
        this.#pings.get(message.pingId)?.(message.heapUsed)
        this.#pings.delete(message.pingId)
        break
      case 'fetch':
        void this.#onFetch(message.fetchId, message.callId, message.request)
        break
      case 'log':
        this.options.log(message.level, message.message, {
          ...(message.fields ?? {}),
          plugin: this.options.pluginId,
          version: this.options.version,
        })
        break
    }
  }

  #onResult(message: Extract<WorkerToHostMessage, { type: 'result' }>): void {
    const pending = this.#pending.get(message.callId)
    if (!pending) return // already timed out
    this.#pending.delete(message.callId)
    clearTimeout(pending.timer)
    if (pending.egressDenied) {
      pending.reject(pending.egressDenied)
    } else if (message.ok) {
      pending.resolve(message.value)
    } else {
      pending.reject(rebuildWorkerError(message.error, this.options.pluginId))
    }
    this.#settled()
  }

  async #onFetch(fetchId: number, callId: number | null, request: ProxiedRequest): Promise<void> {
    let reply: HostToWorkerMessage
    try {
      const response = await this.options.fetch(request)
      reply = { type: 'fetchResult', fetchId, ok: true, response }
    } catch (error) {
      if (error instanceof EgressDeniedError && callId !== null) {
        const pending = this.#pending.get(callId)
        if (pending) pending.egressDenied = error
      }
      reply = { type: 'fetchResult', fetchId, ok: false, error: toSerialized(error) }
    }
    if (this.#state !== 'stopped' && this.#state !== 'crashed') this.#worker?.postMessage(reply)
  }

  /*
   * A call that times out may just be waiting on something slow; a worker whose event
   * loop does not answer a ping is hung (busy loop) and is terminated, which the owner
   * sees as an unexpected exit and restarts.
   */
  #checkLiveness(): void {
    if (this.#livenessCheck || this.#state === 'stopped' || this.#state === 'crashed') return
    this.#livenessCheck = this.ping(this.options.livenessTimeoutMs)
      .then(() => undefined)
      .catch(async () => {
        if (this.#state === 'stopped' || this.#state === 'crashed') return
        this.#lastError =
          'did not answer a liveness ping after a call timed out (hung) and was terminated'
        await this.#worker?.terminate()
      })
      .finally(() => {
        this.#livenessCheck = null
      })
  }

  #onExit(code: number): void {
    if (this.#state === 'stopped') return
    this.#state = 'crashed'
    const reason = this.#lastError ?? `exited with code ${code}`
    this.#rejectAll(
      new PluginCrashedError(
        `Worker for "${this.options.pluginId}@${this.options.version}" ${reason}`
      )
    )
    this.options.onUnexpectedExit(this, reason)
  }

  #rejectAll(error: CarrierError): void {
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer)
      pending.reject(error)
    }
    this.#pending.clear()
    this.#settled()
  }

  #settled(): void {
    if (this.#pending.size > 0) return
    const waiters = this.#drainWaiters
    this.#drainWaiters = []
    for (const wake of waiters) wake()
  }

  #forwardStream(stream: NodeJS.ReadableStream | null, level: LogLevel): void {
    if (!stream) return
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => {
      const text = chunk.trimEnd()
      if (text)
        this.options.log(level, text.slice(0, 4000), {
          plugin: this.options.pluginId,
          stream: level === 'info' ? 'stdout' : 'stderr',
        })
    })
  }
}

function describeWorkerError(error: Error, heapLimitMb: number): string {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ERR_WORKER_OUT_OF_MEMORY')
    return `ran out of memory (heap limit ${heapLimitMb} MB) and was stopped`
  return `crashed: ${error.name}: ${error.message}`
}

function toSerialized(error: unknown): SerializedError {
  const typed = error as Partial<CarrierError>
  return {
    name: typed.name ?? 'Error',
    code: typeof typed.code === 'string' ? typed.code : 'host_fetch_error',
    message: typed.message ?? String(error),
    retryable: typed.retryable === true,
  }
}
