/**
 * A carrier's price: base + distance bands + weight + rush hour or night + weather.
 * Pure and itemised, so the control API and docs can show where a fee comes from.
 */
import type { PricingFormula } from '#sandbox/market/carrier_profile'
import type { DayPeriod } from '#sandbox/market/time_of_day'
import type { WeatherCondition } from '#weather/weather_source'

export interface PriceBreakdown {
  baseFen: number
  distanceFen: number
  weightFen: number
  timeFen: number
  weatherFen: number
  totalFen: number
}

export function distanceFen(formula: PricingFormula, distanceM: number): number {
  const km = distanceM / 1000
  let total = 0
  const bands = formula.bands
  for (let index = 0; index < bands.length; index++) {
    const from = bands[index].fromKm
    const to = index + 1 < bands.length ? bands[index + 1].fromKm : Number.POSITIVE_INFINITY
    if (km <= from) break
    total += (Math.min(km, to) - from) * bands[index].perKmFen
  }
  return Math.round(total)
}

export function weightFen(formula: PricingFormula, weightG: number): number {
  const extraKg = Math.ceil(Math.max(0, weightG - formula.weight.freeG) / 1000)
  return extraKg * formula.weight.perKgFen
}

export function priceFen(
  formula: PricingFormula,
  input: { distanceM: number; weightG: number; period: DayPeriod; condition: WeatherCondition }
): PriceBreakdown {
  const breakdown = {
    baseFen: formula.baseFen,
    distanceFen: distanceFen(formula, input.distanceM),
    weightFen: weightFen(formula, input.weightG),
    timeFen:
      input.period === 'peak' ? formula.peakFen : input.period === 'night' ? formula.nightFen : 0,
    weatherFen: formula.weatherFen[input.condition],
  }
  return {
    ...breakdown,
    totalFen:
      breakdown.baseFen +
      breakdown.distanceFen +
      breakdown.weightFen +
      breakdown.timeFen +
      breakdown.weatherFen,
  }
}
