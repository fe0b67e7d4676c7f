/**
 * Weather as the hub sees it: one report per city, fed to dispatch rules (heavy rain
 * → prefer reliable carriers, add a tip) and to analytics. Implementations: the
 * carrier sandbox (demo, tests), a fixed report (offline, CI), or a real provider.
 */

export const WEATHER_CONDITIONS = ['clear', 'cloudy', 'rain', 'heavy_rain', 'snow'] as const

export type WeatherCondition = (typeof WEATHER_CONDITIONS)[number]

export interface WeatherReport {
  condition: WeatherCondition
  temperature_c: number
  /** Beaufort-like level, 0 (calm) to 12. */
  wind_level: number
  /** ISO-8601 time of the observation. */
  observed_at: string
}

export interface WeatherSource {
  /** Current weather at a city (Chinese name like 上海 or pinyin like shanghai). */
  current(city: string): Promise<WeatherReport>
}

export function isWeatherCondition(value: unknown): value is WeatherCondition {
  return typeof value === 'string' && (WEATHER_CONDITIONS as readonly string[]).includes(value)
}

const CITY_ALIASES: Record<string, string> = {
  beijing: '北京',
  shanghai: '上海',
  guangzhou: '广州',
  shenzhen: '深圳',
  hangzhou: '杭州',
  chengdu: '成都',
  wuhan: '武汉',
  nanjing: '南京',
  tianjin: '天津',
  chongqing: '重庆',
  xian: '西安',
  suzhou: '苏州',
}

/** One spelling per city: trims, drops a trailing 市, maps common pinyin to Chinese. */
export function normalizeCity(city: string): string {
  const trimmed = city.trim()
  const withoutSuffix =
    trimmed.endsWith('市') && trimmed.length > 1 ? trimmed.slice(0, -1) : trimmed
  const ascii = withoutSuffix.toLowerCase().replace(/[\s'-]/g, '')
  return CITY_ALIASES[ascii] ?? withoutSuffix
}
