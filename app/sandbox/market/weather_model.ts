/**
 * Per-city weather, generated from the seed and the sandbox time, so a replay with
 * the same seed and clock sees the same skies. A smooth "wetness" curve (value noise
 * over 3-hour slots) picks the condition, so rain lasts a few hours instead of
 * flickering per request. The control API overrides a city (or every city with `*`).
 */
import { seededUnit } from '#sandbox/random'
import { chinaCalendar, chinaHourOfDay } from '#sandbox/market/time_of_day'
import {
  isWeatherCondition,
  normalizeCity,
  type WeatherCondition,
  type WeatherReport,
} from '#weather/weather_source'

const SLOT_MS = 6 * 3_600_000

/** Yearly mean temperature and seasonal swing (°C) of a few cities; others get the default. */
const CLIMATE: Record<string, { mean: number; swing: number }> = {
  北京: { mean: 13, swing: 15 },
  天津: { mean: 13, swing: 15 },
  西安: { mean: 14, swing: 13 },
  上海: { mean: 17, swing: 11 },
  杭州: { mean: 17, swing: 12 },
  南京: { mean: 16, swing: 12 },
  苏州: { mean: 17, swing: 11 },
  武汉: { mean: 17, swing: 13 },
  成都: { mean: 16, swing: 10 },
  重庆: { mean: 18, swing: 10 },
  广州: { mean: 23, swing: 7 },
  深圳: { mean: 23, swing: 6 },
}
const DEFAULT_CLIMATE = { mean: 16, swing: 11 }

export interface WeatherOverride {
  condition: WeatherCondition
  temperature_c?: number
  wind_level?: number
}

/** Weather nobody overrode: a pure function of (seed, city, time). */
export function generateWeather(seed: number, city: string, at: Date): WeatherReport {
  const key = normalizeCity(city)
  const wet = wetness(seed, key, at)
  const temperature = temperatureAt(seed, key, at, wet)
  return {
    condition: conditionFor(wet, temperature),
    temperature_c: temperature,
    wind_level: Math.min(
      8,
      1 + Math.floor(wet * 4 + seededUnit(seed, 'wind', key, slotOf(at)) * 1.5)
    ),
    observed_at: at.toISOString(),
  }
}

function slotOf(at: Date): number {
  return Math.floor(at.getTime() / SLOT_MS)
}

/** 0 (dry) .. 1 (storm), smooth in time, a little wetter in summer. */
function wetness(seed: number, city: string, at: Date): number {
  const position = at.getTime() / SLOT_MS
  const slot = Math.floor(position)
  const fraction = position - slot
  const eased = fraction * fraction * (3 - 2 * fraction)
  const a = seededUnit(seed, 'wetness', city, slot)
  const b = seededUnit(seed, 'wetness', city, slot + 1)
  const { month } = chinaCalendar(at)
  const summer = month >= 6 && month <= 8 ? 0.06 : 0
  return Math.min(1, a + (b - a) * eased + summer)
}

function conditionFor(wet: number, temperature: number): WeatherCondition {
  if (wet < 0.5) return 'clear'
  if (wet < 0.7) return 'cloudy'
  if (temperature <= 0) return 'snow'
  return wet < 0.9 ? 'rain' : 'heavy_rain'
}

function temperatureAt(seed: number, city: string, at: Date, wet: number): number {
  const climate = CLIMATE[city] ?? DEFAULT_CLIMATE
  const { dayOfYear } = chinaCalendar(at)
  // Warmest around late July (day ~200), coolest in January.
  const seasonal = climate.swing * Math.cos(((dayOfYear - 200) / 365) * 2 * Math.PI)
  // Warmest around 14:00, coolest before dawn.
  const daily = 4 * Math.cos(((chinaHourOfDay(at) - 14) / 24) * 2 * Math.PI)
  const noise = (seededUnit(seed, 'temperature', city, slotOf(at)) - 0.5) * 3
  return Math.round((climate.mean + seasonal + daily + noise - wet * 3) * 10) / 10
}

/** Generated weather plus the overrides set through the control API. */
export class WeatherBoard {
  readonly #seed: number
  #overrides = new Map<string, WeatherOverride>()

  constructor(seed: number) {
    this.#seed = seed
  }

  current(city: string, at: Date): WeatherReport {
    const key = normalizeCity(city)
    const generated = generateWeather(this.#seed, key, at)
    const override = this.#overrides.get(key) ?? this.#overrides.get('*')
    if (!override) return generated
    return {
      condition: override.condition,
      temperature_c: override.temperature_c ?? generated.temperature_c,
      wind_level: override.wind_level ?? generated.wind_level,
      observed_at: generated.observed_at,
    }
  }

  /** `city` may be `*` for every city without its own override. */
  override(city: string, override: WeatherOverride): void {
    this.#overrides.set(city === '*' ? '*' : normalizeCity(city), override)
  }

  clear(city?: string): void {
    if (city === undefined) this.#overrides.clear()
    else this.#overrides.delete(city === '*' ? '*' : normalizeCity(city))
  }

  overrides(): Record<string, WeatherOverride> {
    return Object.fromEntries(this.#overrides)
  }
}

/** Validates a control-API body into an override; throws RangeError with the reason. */
export function parseWeatherOverride(body: unknown): WeatherOverride {
  const value = body as Record<string, unknown> | null
  if (!value || typeof value !== 'object') throw new RangeError('body must be a JSON object')
  if (!isWeatherCondition(value.condition)) {
    throw new RangeError('condition must be one of clear, cloudy, rain, heavy_rain, snow')
  }
  const override: WeatherOverride = { condition: value.condition }
  if (value.temperature_c !== undefined) {
    if (typeof value.temperature_c !== 'number' || !Number.isFinite(value.temperature_c)) {
      throw new RangeError('temperature_c must be a number')
    }
    override.temperature_c = value.temperature_c
  }
  if (value.wind_level !== undefined) {
    if (
      !Number.isInteger(value.wind_level) ||
      (value.wind_level as number) < 0 ||
      (value.wind_level as number) > 12
    ) {
      throw new RangeError('wind_level must be an integer from 0 to 12')
    }
    override.wind_level = value.wind_level as number
  }
  return override
}
