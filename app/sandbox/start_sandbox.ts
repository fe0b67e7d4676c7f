/**
 * Starts the carrier sandbox on 127.0.0.1: every emulated carrier under its own
 * path prefix, the control API and the weather endpoint on one port.
 *
 *   const sandbox = await startSandbox({ port: 0, seed: 42, speed: 60 })
 *   sandbox.url                      // http://127.0.0.1:<port>
 *   sandbox.control.setWeather('上海', { condition: 'heavy_rain' })
 *   await sandbox.stop()
 */
import { SandboxControl } from '#sandbox/control'
import { SandboxCore } from '#sandbox/core'
import type { CarrierEmulator } from '#sandbox/emulator'
import { loadEmulators } from '#sandbox/emulator_registry'
import { parseFaultConfig, type FaultPatch } from '#sandbox/faults'
import type { ProfileRegistry } from '#sandbox/market/carrier_profile'
import { isLoopbackUrl } from '#sandbox/callbacks/callback_sender'
import { SandboxHttpServer } from '#sandbox/server/sandbox_http_server'

export interface SandboxOptions {
  /** 0 picks a free port (tests). Default 4010. */
  port?: number
  /** Only loopback: the sandbox is for this machine. Default 127.0.0.1. */
  host?: '127.0.0.1' | 'localhost' | '::1'
  /** Seeds every random draw. Default 42. */
  seed?: number
  /** Sandbox minutes per real second. Default 60 (an hour per second). */
  speed?: number
  /** Sandbox time at start. Default: now. */
  startAt?: Date
  /** Fault knobs per carrier id (or `*`), as for `--faults`. */
  faults?: Record<string, FaultPatch>
  /** The hub's root (http://127.0.0.1:3333); relative callback URLs resolve against it. */
  hubUrl?: string
  /** Replaces the registry in app/sandbox/carriers/index.ts. */
  emulators?: CarrierEmulator[]
  /** Replaces the market's carrier profiles. */
  profiles?: ProfileRegistry
  /** Wall-clock lifetime of quote tokens. Default 10 min. */
  quoteTtlMs?: number
  /** Pause before each callback retry. Default [1000, 3000, 10000]. */
  callbackRetryDelaysMs?: number[]
  callbackTimeoutMs?: number
  callbackConcurrency?: number
  /** How long the timeoutRate knob holds a request before dropping it. Default 30 s. */
  timeoutHoldMs?: number
  /** Errors inside the sandbox (emulator crashes...). Default: console.error. */
  onError?: (error: unknown) => void
}

export interface RunningSandbox {
  url: string
  port: number
  control: SandboxControl
  /** The internals, for tests that need to look closer. */
  core: SandboxCore
  stop(): Promise<void>
}

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const host = options.host ?? '127.0.0.1'
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
    throw new RangeError('The sandbox listens on loopback only (127.0.0.1, localhost or ::1)')
  }
  if (options.hubUrl && !isLoopbackUrl(options.hubUrl)) {
    throw new RangeError(
      `hubUrl must be on this machine (127.0.0.1/localhost), got ${options.hubUrl}`
    )
  }
  const onError = options.onError ?? ((error: unknown) => console.error('[sandbox]', error))
  const core = new SandboxCore({
    seed: options.seed ?? 42,
    speed: options.speed ?? 60,
    startAt: options.startAt,
    faults: parseFaultConfig(options.faults ?? {}),
    hubUrl: options.hubUrl,
    emulators: options.emulators ?? (await loadEmulators()),
    profiles: options.profiles,
    quoteTtlMs: options.quoteTtlMs,
    callbackRetryDelaysMs: options.callbackRetryDelaysMs,
    callbackTimeoutMs: options.callbackTimeoutMs,
    callbackConcurrency: options.callbackConcurrency,
    onError,
  })
  const control = new SandboxControl(core)
  const server = new SandboxHttpServer(core, control, {
    timeoutHoldMs: options.timeoutHoldMs ?? 30_000,
    maxBodyBytes: 1024 * 1024,
    onError,
  })
  let port: number
  try {
    port = await server.listen(options.port ?? 4010, host)
  } catch (error) {
    core.stop()
    throw error
  }
  const urlHost = host === '::1' ? '[::1]' : host
  let stopped: Promise<void> | null = null
  return {
    url: `http://${urlHost}:${port}`,
    port,
    control,
    core,
    stop() {
      stopped ??= (async () => {
        core.stop()
        await server.close()
      })()
      return stopped
    },
  }
}
