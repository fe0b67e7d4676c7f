/**
 * Picks the hub's weather source from configuration:
 *   WEATHER_SOURCE=sandbox  SANDBOX_URL=http://127.0.0.1:4010   (demo, tests)
 *   WEATHER_SOURCE=static   WEATHER_STATIC_CONDITION=rain        (offline; the default)
 * A real provider plugs in by implementing WeatherSource and adding a case here
 * (see docs/sandbox.md, "Weather").
 */
import { SandboxWeatherSource } from '#weather/sandbox_weather_source'
import { MILD_CLEAR_WEATHER, StaticWeatherSource } from '#weather/static_weather_source'
import { isWeatherCondition, type WeatherSource } from '#weather/weather_source'

export type WeatherSourceConfig =
  | { source: 'sandbox'; sandboxUrl: string; cacheTtlMs?: number }
  | { source: 'static'; condition?: string; temperatureC?: number; windLevel?: number }

export const DEFAULT_SANDBOX_URL = 'http://127.0.0.1:4010'

export function createWeatherSource(config: WeatherSourceConfig): WeatherSource {
  if (config.source === 'sandbox') {
    return new SandboxWeatherSource({ baseUrl: config.sandboxUrl, cacheTtlMs: config.cacheTtlMs })
  }
  const condition = config.condition ?? MILD_CLEAR_WEATHER.condition
  if (!isWeatherCondition(condition)) {
    throw new RangeError(`Unknown weather condition "${condition}"`)
  }
  return new StaticWeatherSource({
    weather: {
      condition,
      temperature_c: config.temperatureC ?? MILD_CLEAR_WEATHER.temperature_c,
      wind_level: config.windLevel ?? MILD_CLEAR_WEATHER.wind_level,
    },
  })
}

/** Reads WEATHER_SOURCE, SANDBOX_URL and WEATHER_STATIC_* (pass the validated env in the app). */
export function weatherConfigFromEnv(
  env: Record<string, string | undefined> = process.env
): WeatherSourceConfig {
  const source = env.WEATHER_SOURCE ?? 'static'
  if (source === 'sandbox') {
    return { source, sandboxUrl: env.SANDBOX_URL ?? DEFAULT_SANDBOX_URL }
  }
  if (source !== 'static') {
    throw new RangeError(`WEATHER_SOURCE must be "sandbox" or "static", got "${source}"`)
  }
  return {
    source,
    condition: env.WEATHER_STATIC_CONDITION,
    temperatureC: optionalNumber(env.WEATHER_STATIC_TEMPERATURE_C),
  }
}

function optionalNumber(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined
  const parsed = Number(value)
  if (!Number.isFinite(parsed)) throw new RangeError(`Not a number: "${value}"`)
  return parsed
}
