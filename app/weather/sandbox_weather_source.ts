/**
 * Reads weather from the carrier sandbox (`GET <SANDBOX_URL>/_weather/:city`), the
 * same weather the sandbox's carriers price by, so a rain override in the demo moves
 * both the rules and the quotes. Answers are cached briefly per city and concurrent
 * asks share one request; when the sandbox is down the last answer (or the fallback
 * source) is used, because dispatch must never fail on weather.
 */
import {
  isWeatherCondition,
  normalizeCity,
  type WeatherReport,
  type WeatherSource,
} from '#weather/weather_source'
import { StaticWeatherSource } from '#weather/static_weather_source'

export interface SandboxWeatherOptions {
  /** Root of the sandbox, e.g. http://127.0.0.1:4010 */
  baseUrl: string
  /** How long one city's answer is reused. */
  cacheTtlMs?: number
  timeoutMs?: number
  /** Cities remembered at most (oldest dropped first). */
  maxCities?: number
  fallback?: WeatherSource
  fetch?: typeof globalThis.fetch
  now?: () => number
}

interface CacheEntry {
  report: WeatherReport
  fetchedAt: number
}

export class SandboxWeatherSource implements WeatherSource {
  readonly #baseUrl: string
  readonly #ttlMs: number
  readonly #timeoutMs: number
  readonly #maxCities: number
  readonly #fallback: WeatherSource
  readonly #fetch: typeof globalThis.fetch
  readonly #now: () => number
  #cache = new Map<string, CacheEntry>()
  #inFlight = new Map<string, Promise<WeatherReport>>()

  constructor(options: SandboxWeatherOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '')
    this.#ttlMs = options.cacheTtlMs ?? 30_000
    this.#timeoutMs = options.timeoutMs ?? 1_000
    this.#maxCities = options.maxCities ?? 500
    this.#fallback = options.fallback ?? new StaticWeatherSource()
    this.#fetch = options.fetch ?? globalThis.fetch
    this.#now = options.now ?? Date.now
  }

  current(city: string): Promise<WeatherReport> {
    const key = normalizeCity(city)
    const cached = this.#cache.get(key)
    if (cached && this.#now() - cached.fetchedAt < this.#ttlMs)
      return Promise.resolve(cached.report)
    const running = this.#inFlight.get(key)
    if (running) return running
    const request = this.#refresh(key, cached).finally(() => this.#inFlight.delete(key))
    this.#inFlight.set(key, request)
    return request
  }

  /** Forgets cached answers (after changing the sandbox's weather in a test). */
  clear(): void {
    this.#cache.clear()
  }

  async #refresh(city: string, stale: CacheEntry | undefined): Promise<WeatherReport> {
    try {
      const response = await this.#fetch(`${this.#baseUrl}/_weather/${encodeURIComponent(city)}`, {
        signal: AbortSignal.timeout(this.#timeoutMs),
      })
      if (!response.ok) throw new Error(`sandbox answered HTTP ${response.status}`)
      const report = parseReport(await response.json())
      this.#remember(city, report)
      return report
    } catch {
      return stale?.report ?? this.#fallback.current(city)
    }
  }

  #remember(city: string, report: WeatherReport): void {
    this.#cache.delete(city)
    this.#cache.set(city, { report, fetchedAt: this.#now() })
    if (this.#cache.size > this.#maxCities) {
      const oldest = this.#cache.keys().next().value
      if (oldest !== undefined) this.#cache.delete(oldest)
    }
  }
}

function parseReport(value: unknown): WeatherReport {
  const body = value as Partial<WeatherReport> | null
  if (
    !body ||
    !isWeatherCondition(body.condition) ||
    typeof body.temperature_c !== 'number' ||
    typeof body.wind_level !== 'number' ||
    typeof body.observed_at !== 'string'
  ) {
    throw new Error('sandbox weather answer has an unexpected shape')
  }
  return {
    condition: body.condition,
    temperature_c: body.temperature_c,
    wind_level: body.wind_level,
    observed_at: body.observed_at,
  }
}
