/**
 * The shared market every emulated carrier quotes from. Deterministic: a quote is a
 * pure function of (seed, carrier, order key, route, weight, time, weather), so the
 * same order gets the same answer in any request order and on every run.
 */
import type { MarketQuoteInput, SandboxDeliveryState } from '#sandbox/emulator'
import type { CarrierProfile, ProfileRegistry } from '#sandbox/market/carrier_profile'
import { DEFAULT_PROFILES, genericProfile } from '#sandbox/market/carrier_profiles'
import { computeConditions, type MarketConditions } from '#sandbox/market/conditions'
import { priceFen, type PriceBreakdown } from '#sandbox/market/pricing'
import { roadDistanceM } from '#sandbox/geo'
import { seededStream } from '#sandbox/random'
import type { WeatherReport } from '#weather/weather_source'

export type WeatherLookup = (city: string, at: Date) => WeatherReport

export type MarketPrice =
  | {
      ok: true
      carrier: string
      feeFen: number
      distanceM: number
      pickupEtaS: number
      dropoffEtaS: number
      breakdown: PriceBreakdown
      conditions: MarketConditions
    }
  | {
      ok: false
      carrier: string
      reason: 'no_capacity' | 'out_of_range'
      distanceM: number
      conditions: MarketConditions
    }

/** Prices jitter ±2 % per order, so equal formulas still differ a little, like real quotes. */
const PRICE_JITTER = 0.04
/** Carriers quote in 0.1-yuan steps. */
const ROUND_TO_FEN = 10

export class Market {
  readonly seed: number
  readonly #profiles: ProfileRegistry
  readonly #weather: WeatherLookup

  constructor(options: { seed: number; weather: WeatherLookup; profiles?: ProfileRegistry }) {
    this.seed = options.seed
    this.#weather = options.weather
    this.#profiles = options.profiles ?? DEFAULT_PROFILES
  }

  profile(carrier: string): CarrierProfile {
    return this.#profiles[carrier] ?? genericProfile(carrier)
  }

  /** Carriers with a profile of their own. */
  carriers(): string[] {
    return Object.keys(this.#profiles)
  }

  conditions(carrier: string, city: string, at: Date): MarketConditions {
    return computeConditions(this.seed, this.profile(carrier), city, at, this.#weather(city, at))
  }

  quote(input: MarketQuoteInput): MarketPrice {
    const profile = this.profile(input.carrier)
    const conditions = this.conditions(input.carrier, input.city, input.at)
    const distanceM = roadDistanceM(input.from, input.to)
    const carrier = input.carrier
    if (distanceM > profile.maxRangeM) {
      return { ok: false, carrier, reason: 'out_of_range', distanceM, conditions }
    }
    const draw = seededStream(this.seed, 'quote', carrier, orderKeyOf(input))
    // The first draw decides capacity, so an order that is "unlucky" stays unlucky
    // while pressure rises and gets a rider back as soon as pressure falls.
    if (draw.next() < conditions.noCapacityProbability) {
      return { ok: false, carrier, reason: 'no_capacity', distanceM, conditions }
    }
    const breakdown = priceFen(profile.pricing, {
      distanceM,
      weightG: input.weightG,
      period: conditions.period,
      condition: conditions.weather.condition,
    })
    const jitter = 1 + (draw.next() - 0.5) * PRICE_JITTER
    const feeFen = Math.round((breakdown.totalFen * jitter) / ROUND_TO_FEN) * ROUND_TO_FEN
    const pickupEtaS = Math.round(conditions.pickupEtaS * draw.between(0.9, 1.1))
    const rideS = (distanceM / conditions.speedMps) * draw.between(0.95, 1.05)
    return {
      ok: true,
      carrier,
      feeFen,
      distanceM,
      pickupEtaS,
      dropoffEtaS: Math.round(pickupEtaS + profile.eta.handoverS + rideS),
      breakdown,
      conditions,
    }
  }

  /** Free before a rider accepts, a fixed fee until pickup, a share of the fee after. */
  cancellationFeeFen(carrier: string, state: SandboxDeliveryState, feeFen: number): number {
    const { cancellation } = this.profile(carrier)
    switch (state) {
      case 'accepted':
      case 'arrived':
        return cancellation.afterAcceptFen
      case 'picked_up':
      case 'delivering':
        return Math.max(
          cancellation.afterAcceptFen,
          Math.round(feeFen * cancellation.afterPickupShare)
        )
      default:
        return 0
    }
  }
}

/** The key of an order's random draws: the carrier's order number, or the route when none. */
export function orderKeyOf(input: MarketQuoteInput): string {
  if (input.orderKey) return input.orderKey
  const { from, to } = input
  return `${from.lat},${from.lng}>${to.lat},${to.lng}:${input.weightG}`
}
