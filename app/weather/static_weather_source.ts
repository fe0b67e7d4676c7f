/**
 * A fixed answer: one default report, optionally different per city. For offline
 * runs and CI, and as the fallback when a live source is unreachable.
 */
import { normalizeCity, type WeatherReport, type WeatherSource } from '#weather/weather_source'

export type FixedWeather = Omit<WeatherReport, 'observed_at'>

export const MILD_CLEAR_WEATHER: FixedWeather = {
  condition: 'clear',
  temperature_c: 20,
  wind_level: 2,
}

export class StaticWeatherSource implements WeatherSource {
  readonly #fallback: FixedWeather
  readonly #cities: Map<string, FixedWeather>
  readonly #now: () => Date

  constructor(
    options: {
      weather?: FixedWeather
      cities?: Record<string, FixedWeather>
      now?: () => Date
    } = {}
  ) {
    this.#fallback = options.weather ?? MILD_CLEAR_WEATHER
    this.#cities = new Map(
      Object.entries(options.cities ?? {}).map(([city, weather]) => [normalizeCity(city), weather])
    )
    this.#now = options.now ?? (() => new Date())
  }

  async current(city: string): Promise<WeatherReport> {
    const fixed = this.#cities.get(normalizeCity(city)) ?? this.#fallback
    return { ...fixed, observed_at: this.#now().toISOString() }
  }
}
