/**
 * Tunables of the plugin host, with defaults sized for a 2-core node. Tests shrink the
 * timeouts; production can raise heap limits for heavy plugins.
 */
import type { BreakerOptions } from '#carriers/circuit_breaker'
import { DEFAULT_BREAKER_OPTIONS } from '#carriers/circuit_breaker'
import type { FetchImplementation, HostFetchLimits } from '#carriers/host_fetch'

/** Pino-compatible subset, so the AdonisJS logger (or a child of it) fits as is. */
export interface HostLogger {
  debug(fields: Record<string, unknown>, message: string): void
  info(fields: Record<string, unknown>, message: string): void
  warn(fields: Record<string, unknown>, message: string): void
  error(fields: Record<string, unknown>, message: string): void
}

export interface PluginHostOptions {
  /** V8 old-generation limit per worker. */
  heapLimitMb: number
  /** Default deadline of a plugin call. */
  callTimeoutMs: number
  /** Per-method deadlines that override callTimeoutMs (quotes are usually tighter). */
  methodTimeoutsMs: Partial<Record<string, number>>
  startTimeoutMs: number
  livenessTimeoutMs: number
  /** How long an old worker may take to finish its calls during upgrade or disable. */
  drainTimeoutMs: number
  /** Delay before each restart after consecutive crashes; the last value repeats. */
  restartBackoffMs: number[]
  /** A worker that ran this long before crashing resets the backoff. */
  stableAfterMs: number
  breaker: BreakerOptions
  fetch: HostFetchLimits
  /** Replaces the global fetch for plugin HTTP (tests, proxies). */
  fetchImplementation?: FetchImplementation
  /**
   * Egress entries added to every plugin's list, e.g. the local carrier sandbox in
   * development. Leave empty in production.
   */
  extraEgress: string[]
  /** Largest webhook body handed to a plugin's verifyWebhook. */
  maxWebhookBytes: number
  logger: HostLogger
}

const silentLogger: HostLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
}

export const DEFAULT_HOST_OPTIONS: PluginHostOptions = {
  heapLimitMb: 64,
  callTimeoutMs: 10_000,
  methodTimeoutsMs: { quote: 5_000 },
  startTimeoutMs: 5_000,
  livenessTimeoutMs: 1_000,
  drainTimeoutMs: 15_000,
  restartBackoffMs: [0, 250, 1_000, 5_000, 15_000],
  stableAfterMs: 30_000,
  breaker: DEFAULT_BREAKER_OPTIONS,
  fetch: { timeoutCapMs: 8_000, maxResponseBytes: 2 * 1024 * 1024 },
  extraEgress: [],
  maxWebhookBytes: 256 * 1024,
  logger: silentLogger,
}

export type PluginHostConfig = Partial<Omit<PluginHostOptions, 'breaker' | 'fetch'>> & {
  breaker?: Partial<BreakerOptions>
  fetch?: Partial<HostFetchLimits>
}

export function resolveHostOptions(config: PluginHostConfig = {}): PluginHostOptions {
  return {
    ...DEFAULT_HOST_OPTIONS,
    ...config,
    breaker: { ...DEFAULT_HOST_OPTIONS.breaker, ...config.breaker },
    fetch: { ...DEFAULT_HOST_OPTIONS.fetch, ...config.fetch },
  }
}
