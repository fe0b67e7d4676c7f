/**
 * How busy a carrier is in a city at a moment, and what follows from it. The core
 * number is pressure = demand / supply: demand follows the hour and rises in bad
 * weather (people order in), supply is the carrier's fleet, thinned at night and in
 * rain. Above 1 the carrier runs out of riders: quotes start failing with
 * no_capacity, acceptance slows and gets less likely, ratings dip.
 */
import type { CarrierProfile } from '#sandbox/market/carrier_profile'
import { chinaHour, dayPeriod, HOURLY_DEMAND, type DayPeriod } from '#sandbox/market/time_of_day'
import { seededUnit } from '#sandbox/random'
import { normalizeCity, type WeatherCondition, type WeatherReport } from '#weather/weather_source'

const WEATHER_DEMAND: Record<WeatherCondition, number> = {
  clear: 1,
  cloudy: 1,
  rain: 1.25,
  heavy_rain: 1.5,
  snow: 1.4,
}

const WEATHER_RATING_PENALTY: Record<WeatherCondition, number> = {
  clear: 0,
  cloudy: 0,
  rain: 0.05,
  heavy_rain: 0.15,
  snow: 0.15,
}

export interface MarketConditions {
  carrier: string
  city: string
  hour: number
  period: DayPeriod
  weather: WeatherReport
  /** Demand over supply; above 1 riders run out. */
  pressure: number
  /** Probability that a quote fails with no_capacity. */
  noCapacityProbability: number
  /** Probability that some rider accepts a created delivery. */
  acceptanceRate: number
  meanAcceptDelayS: number
  riderCancelRate: number
  rating: number
  /** Road speed now, m/s. */
  speedMps: number
  /** Seconds until a rider reaches the store, before per-order variation. */
  pickupEtaS: number
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value))
const round2 = (value: number) => Math.round(value * 100) / 100

/** Busier means slower: a bit quicker than normal when riders are idle, steeply slower past 1. */
export function congestion(pressure: number): number {
  return pressure < 1 ? 0.75 + 0.25 * pressure : pressure ** 1.2
}

export function computeConditions(
  seed: number,
  profile: CarrierProfile,
  city: string,
  at: Date,
  weather: WeatherReport
): MarketConditions {
  const hour = chinaHour(at)
  const period = dayPeriod(hour)
  const condition = weather.condition
  const cityKey = normalizeCity(city)
  // Each carrier is stronger in some cities than others (±15 %), fixed per seed.
  const cityStrength = 0.85 + 0.3 * seededUnit(seed, 'city-supply', profile.carrier, cityKey)
  const supply =
    profile.supply.level *
    profile.supply.weather[condition] *
    (period === 'night' ? profile.supply.night : 1) *
    cityStrength
  const pressure = (HOURLY_DEMAND[hour] * WEATHER_DEMAND[condition]) / supply
  const overload = Math.max(0, pressure - 1)
  const speedMps = profile.eta.speedMps * profile.eta.weatherSpeed[condition]
  return {
    carrier: profile.carrier,
    city: cityKey,
    hour,
    period,
    weather,
    pressure: round2(pressure),
    noCapacityProbability: pressure <= 1 ? 0 : round2(Math.min(0.95, 1 - 1 / pressure ** 1.5)),
    acceptanceRate: round2(
      clamp(
        profile.acceptance.baseRate - 0.3 * overload - (period === 'night' ? 0.03 : 0),
        0.2,
        0.995
      )
    ),
    meanAcceptDelayS: Math.round(profile.acceptance.meanDelayS * congestion(pressure) ** 1.3),
    riderCancelRate: round2(
      Math.min(
        0.4,
        profile.riderCancelRate *
          (condition === 'rain' || condition === 'heavy_rain' || condition === 'snow' ? 1.8 : 1) *
          (pressure > 1 ? 1.3 : 1)
      )
    ),
    rating: round2(
      clamp(
        profile.rating -
          0.15 * Math.min(overload, 2) -
          WEATHER_RATING_PENALTY[condition] +
          (cityStrength - 1) * 0.3,
        3.5,
        5
      )
    ),
    speedMps: round2(speedMps),
    // Riders reach the store slower when busy, and slower in rain.
    pickupEtaS: Math.round(
      (profile.eta.pickupBaseS * congestion(pressure)) /
        Math.sqrt(profile.eta.weatherSpeed[condition])
    ),
  }
}
