/**
 * What the market knows about one carrier: its price formula, speed, fleet size and
 * how each reacts to the hour and the weather. Plain data, so tests can swap in a
 * registry of made-up carriers and docs can print the formulas.
 */
import type { WeatherCondition } from '#weather/weather_source'

export type PerCondition = Record<WeatherCondition, number>

/** From `fromKm` up to the next band's `fromKm`, each km costs `perKmFen`. */
export interface DistanceBand {
  fromKm: number
  perKmFen: number
}

export interface PricingFormula {
  baseFen: number
  /** Ascending by fromKm; the first usually starts at 0 with 0 fen (distance included in base). */
  bands: DistanceBand[]
  /** Each started kilogram above `freeG` costs `perKgFen`. */
  weight: { freeG: number; perKgFen: number }
  /** Added during the lunch and dinner rushes. */
  peakFen: number
  /** Added 22:00-06:00. */
  nightFen: number
  /** Added by weather. */
  weatherFen: PerCondition
}

export interface CarrierProfile {
  carrier: string
  /** One line for docs and the control API: what this carrier is good at. */
  character: string
  pricing: PricingFormula
  /** Farther than this (road metres) the carrier answers out_of_range. */
  maxRangeM: number
  eta: {
    /** Seconds from order to rider at the store in normal conditions. */
    pickupBaseS: number
    /** Rider speed on the road, m/s. */
    speedMps: number
    /** Speed multiplier by weather (1 = unaffected). */
    weatherSpeed: PerCondition
    /** Time at the store and the door, seconds. */
    handoverS: number
  }
  supply: {
    /** Riders available relative to an ordinary afternoon's demand (1 = just enough). */
    level: number
    /** Supply multiplier by weather (riders go home in heavy rain). */
    weather: PerCondition
    /** Supply multiplier at night. */
    night: number
  }
  acceptance: {
    /** Share of orders some rider accepts when supply is ample. */
    baseRate: number
    /** Mean seconds until a rider accepts when supply is ample. */
    meanDelayS: number
    /** The carrier cancels an order nobody accepted after this many seconds. */
    giveUpAfterS: number
  }
  /** Merchant-facing rating out of 5 in normal conditions. */
  rating: number
  /** Probability that the accepted rider drops the order before pickup (the carrier re-dispatches). */
  riderCancelRate: number
  cancellation: {
    /** Fee once a rider accepted (until pickup). */
    afterAcceptFen: number
    /** Share of the delivery fee charged once the goods were picked up. */
    afterPickupShare: number
  }
}

export type ProfileRegistry = Record<string, CarrierProfile>
