import { test } from '@japa/runner'
import { generateWeather, WeatherBoard } from '#sandbox/market/weather_model'
import { chinaTime } from '#sandbox/market/time_of_day'
import { SandboxWeatherSource } from '#weather/sandbox_weather_source'
import { StaticWeatherSource } from '#weather/static_weather_source'
import { createWeatherSource, weatherConfigFromEnv } from '#weather/weather_source_factory'
import { normalizeCity, type WeatherReport } from '#weather/weather_source'

const NOON = chinaTime('2025-07-15', 12)

test.group('Sandbox weather | generated', () => {
  test('weather is a pure function of seed, city and time', ({ assert }) => {
    assert.deepEqual(generateWeather(42, '上海', NOON), generateWeather(42, '上海', NOON))
    assert.deepEqual(generateWeather(42, 'shanghai', NOON), generateWeather(42, '上海市', NOON))
    const month = Array.from({ length: 720 }, (_, index) =>
      generateWeather(42, '上海', new Date(NOON.getTime() + index * 3_600_000))
    )
    const conditions = new Set(month.map((report) => report.condition))
    assert.includeMembers([...conditions], ['clear', 'cloudy', 'rain', 'heavy_rain'])
    // Weather lasts: consecutive hourly readings mostly agree.
    const same = month
      .slice(1)
      .filter((report, index) => report.condition === month[index].condition)
    assert.isAbove(same.length / (month.length - 1), 0.7)
  })

  test('winter in Beijing is colder than summer in Guangzhou, and it can snow', ({ assert }) => {
    const winter = Array.from({ length: 120 }, (_, index) =>
      generateWeather(
        42,
        '北京',
        new Date(chinaTime('2025-01-10', 6).getTime() + index * 3 * 3_600_000)
      )
    )
    const summer = generateWeather(42, '广州', chinaTime('2025-07-20', 14))
    assert.isBelow(Math.max(...winter.map((report) => report.temperature_c)), summer.temperature_c)
    assert.include(
      winter.map((report) => report.condition),
      'snow'
    )
  })

  test('overrides win for their city, `*` for every other city, and clear', ({ assert }) => {
    const board = new WeatherBoard(42)
    board.override('上海', { condition: 'heavy_rain', wind_level: 7 })
    board.override('*', { condition: 'snow', temperature_c: -3 })
    assert.equal(board.current('shanghai', NOON).condition, 'heavy_rain')
    assert.equal(board.current('shanghai', NOON).wind_level, 7)
    assert.deepEqual(
      { ...board.current('杭州', NOON), observed_at: '' },
      {
        condition: 'snow',
        temperature_c: -3,
        wind_level: generateWeather(42, '杭州', NOON).wind_level,
        observed_at: '',
      }
    )
    board.clear('*')
    assert.deepEqual(board.current('杭州', NOON), generateWeather(42, '杭州', NOON))
  })
})

test.group('Hub weather sources', () => {
  test('city names are normalised', ({ assert }) => {
    assert.equal(normalizeCity(' 上海市 '), '上海')
    assert.equal(normalizeCity('ShangHai'), '上海')
    assert.equal(normalizeCity('Lhasa'), 'Lhasa')
  })

  test('the static source answers its fixed report', async ({ assert }) => {
    const source = new StaticWeatherSource({
      weather: { condition: 'cloudy', temperature_c: 10, wind_level: 3 },
      cities: { 北京: { condition: 'snow', temperature_c: -5, wind_level: 4 } },
      now: () => NOON,
    })
    assert.deepEqual(await source.current('上海'), {
      condition: 'cloudy',
      temperature_c: 10,
      wind_level: 3,
      observed_at: NOON.toISOString(),
    })
    const beijing = await source.current('beijing')
    assert.equal(beijing.condition, 'snow')
  })

  test('the sandbox source caches per city, shares concurrent asks and falls back', async ({
    assert,
  }) => {
    const report: WeatherReport = {
      condition: 'rain',
      temperature_c: 21,
      wind_level: 3,
      observed_at: NOON.toISOString(),
    }
    const urls: string[] = []
    let up = true
    let now = 0
    const source = new SandboxWeatherSource({
      baseUrl: 'http://127.0.0.1:4010/',
      cacheTtlMs: 1_000,
      now: () => now,
      fallback: new StaticWeatherSource({
        weather: { condition: 'clear', temperature_c: 20, wind_level: 1 },
      }),
      fetch: async (url) => {
        urls.push(String(url))
        if (!up) throw new Error('connection refused')
        return new Response(JSON.stringify(report), { status: 200 })
      },
    })
    const [a, b] = await Promise.all([source.current('上海'), source.current('shanghai')])
    assert.deepEqual(a, report)
    assert.deepEqual(b, report)
    assert.deepEqual(urls, ['http://127.0.0.1:4010/_weather/%E4%B8%8A%E6%B5%B7'])
    await source.current('上海')
    assert.lengthOf(urls, 1, 'cached')
    now = 5_000
    up = false
    assert.deepEqual(await source.current('上海'), report, 'stale answer while the sandbox is down')
    const neverSeen = await source.current('北京')
    assert.equal(neverSeen.condition, 'clear', 'fallback for a city never seen')
  })

  test('the factory picks the source from the environment', ({ assert }) => {
    assert.deepEqual(weatherConfigFromEnv({}), {
      source: 'static',
      condition: undefined,
      temperatureC: undefined,
    })
    assert.deepEqual(
      weatherConfigFromEnv({ WEATHER_SOURCE: 'sandbox', SANDBOX_URL: 'http://127.0.0.1:4999' }),
      {
        source: 'sandbox',
        sandboxUrl: 'http://127.0.0.1:4999',
      }
    )
    assert.instanceOf(
      createWeatherSource(weatherConfigFromEnv({ WEATHER_SOURCE: 'sandbox' })),
      SandboxWeatherSource
    )
    assert.instanceOf(
      createWeatherSource({ source: 'static', condition: 'rain' }),
      StaticWeatherSource
    )
    assert.throws(() => weatherConfigFromEnv({ WEATHER_SOURCE: 'owm' }), /WEATHER_SOURCE must be/)
    assert.throws(
      () => createWeatherSource({ source: 'static', condition: 'hail' }),
      /Unknown weather condition/
    )
  })
})
