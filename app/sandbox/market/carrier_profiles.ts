/**
 * The default market: seven carriers with different strengths, so that no one of
 * them wins every order. Roughly (1.5 kg, Shanghai):
 *   short trip, off-peak  → UU is cheapest, own fleet fastest (riders at the store)
 *   long trip (12 km)     → SF Same-city is cheapest (low flat per-km), Shansong fastest
 *   lunch/dinner rush     → Meituan (largest fleet, small surcharge) is cheapest and fastest;
 *                           thin fleets (Shansong, UU, own fleet) start answering no_capacity
 *   rain                  → own fleet (no weather surcharge) is cheapest
 *   heavy rain            → Meituan cheapest, SF Same-city fastest (keeps riders and speed);
 *                           UU, Shansong, own fleet mostly out of riders
 * docs/sandbox.md prints these formulas; tests/unit/sandbox/market.spec.ts pins the winners.
 */
import type { CarrierProfile, PerCondition, ProfileRegistry } from '#sandbox/market/carrier_profile'

/** Weather surcharges in fen; clear skies cost nothing extra. */
const weather = (cloudy: number, rain: number, heavyRain: number, snow: number): PerCondition => ({
  clear: 0,
  cloudy,
  rain,
  heavy_rain: heavyRain,
  snow,
})

/** Multipliers by weather; clear skies are the reference (1). */
const factors = (cloudy: number, rain: number, heavyRain: number, snow: number): PerCondition => ({
  clear: 1,
  cloudy,
  rain,
  heavy_rain: heavyRain,
  snow,
})

const STANDARD_ROAD_SPEED = factors(1, 0.85, 0.7, 0.65)

export const DADA: CarrierProfile = {
  carrier: 'dada',
  character: 'cheap under 3 km, steep beyond; big rush-hour and rain surcharges',
  pricing: {
    baseFen: 600,
    bands: [
      { fromKm: 0, perKmFen: 0 },
      { fromKm: 3, perKmFen: 150 },
      { fromKm: 5, perKmFen: 250 },
    ],
    weight: { freeG: 5_000, perKgFen: 200 },
    peakFen: 300,
    nightFen: 200,
    weatherFen: weather(0, 300, 600, 500),
  },
  maxRangeM: 15_000,
  eta: { pickupBaseS: 540, speedMps: 4.8, weatherSpeed: STANDARD_ROAD_SPEED, handoverS: 120 },
  supply: { level: 1.5, weather: factors(1, 0.75, 0.5, 0.55), night: 0.45 },
  acceptance: { baseRate: 0.97, meanDelayS: 60, giveUpAfterS: 1_200 },
  rating: 4.6,
  riderCancelRate: 0.05,
  cancellation: { afterAcceptFen: 200, afterPickupShare: 1 },
}

export const MEITUAN: CarrierProfile = {
  carrier: 'meituan',
  character: 'largest fleet: small rush-hour surcharge, fastest at peak; 10 km range',
  pricing: {
    baseFen: 700,
    bands: [
      { fromKm: 0, perKmFen: 0 },
      { fromKm: 2, perKmFen: 100 },
      { fromKm: 5, perKmFen: 180 },
    ],
    weight: { freeG: 5_000, perKgFen: 150 },
    peakFen: 150,
    nightFen: 300,
    weatherFen: weather(0, 250, 500, 500),
  },
  maxRangeM: 10_000,
  eta: { pickupBaseS: 560, speedMps: 5.0, weatherSpeed: STANDARD_ROAD_SPEED, handoverS: 120 },
  supply: { level: 2.2, weather: factors(1, 0.8, 0.55, 0.6), night: 0.5 },
  acceptance: { baseRate: 0.98, meanDelayS: 45, giveUpAfterS: 1_800 },
  rating: 4.7,
  riderCancelRate: 0.04,
  cancellation: { afterAcceptFen: 300, afterPickupShare: 1 },
}

export const FENGNIAO: CarrierProfile = {
  carrier: 'fengniao',
  character: 'mid-priced everywhere; the steady runner-up',
  pricing: {
    baseFen: 650,
    bands: [
      { fromKm: 0, perKmFen: 0 },
      { fromKm: 1, perKmFen: 120 },
      { fromKm: 5, perKmFen: 200 },
    ],
    weight: { freeG: 5_000, perKgFen: 150 },
    peakFen: 250,
    nightFen: 200,
    weatherFen: weather(0, 200, 500, 450),
  },
  maxRangeM: 12_000,
  eta: { pickupBaseS: 600, speedMps: 4.8, weatherSpeed: STANDARD_ROAD_SPEED, handoverS: 120 },
  supply: { level: 1.6, weather: factors(1, 0.75, 0.5, 0.55), night: 0.45 },
  acceptance: { baseRate: 0.96, meanDelayS: 70, giveUpAfterS: 1_200 },
  rating: 4.5,
  riderCancelRate: 0.05,
  cancellation: { afterAcceptFen: 200, afterPickupShare: 1 },
}

export const SF_SAME_CITY: CarrierProfile = {
  carrier: 'sf_same_city',
  character: 'expensive base, low flat per-km (cheapest far away); keeps riders and speed in rain',
  pricing: {
    baseFen: 1_200,
    bands: [{ fromKm: 0, perKmFen: 80 }],
    weight: { freeG: 10_000, perKgFen: 100 },
    peakFen: 200,
    nightFen: 0,
    weatherFen: weather(0, 100, 200, 300),
  },
  maxRangeM: 30_000,
  eta: {
    pickupBaseS: 660,
    speedMps: 5.5,
    weatherSpeed: factors(1, 0.95, 0.88, 0.8),
    handoverS: 120,
  },
  supply: { level: 1.3, weather: factors(1, 0.95, 0.9, 0.85), night: 0.6 },
  acceptance: { baseRate: 0.99, meanDelayS: 50, giveUpAfterS: 1_800 },
  rating: 4.9,
  riderCancelRate: 0.02,
  cancellation: { afterAcceptFen: 500, afterPickupShare: 1 },
}

export const SHANSONG: CarrierProfile = {
  carrier: 'shansong',
  character: 'one rider, one order: fastest off-peak, pricey, long range; thin fleet at peak',
  pricing: {
    baseFen: 1_500,
    bands: [
      { fromKm: 0, perKmFen: 0 },
      { fromKm: 3, perKmFen: 150 },
    ],
    weight: { freeG: 5_000, perKgFen: 200 },
    peakFen: 300,
    nightFen: 300,
    weatherFen: weather(0, 300, 600, 600),
  },
  maxRangeM: 50_000,
  eta: { pickupBaseS: 420, speedMps: 6.2, weatherSpeed: STANDARD_ROAD_SPEED, handoverS: 60 },
  supply: { level: 1.0, weather: factors(1, 0.8, 0.6, 0.6), night: 0.5 },
  acceptance: { baseRate: 0.95, meanDelayS: 40, giveUpAfterS: 900 },
  rating: 4.8,
  riderCancelRate: 0.03,
  cancellation: { afterAcceptFen: 400, afterPickupShare: 1 },
}

export const UU: CarrierProfile = {
  carrier: 'uu',
  character:
    'cheapest off-peak on short trips; big rush-hour and rain surcharges, riders vanish in rain',
  pricing: {
    baseFen: 500,
    bands: [
      { fromKm: 0, perKmFen: 0 },
      { fromKm: 3, perKmFen: 180 },
      { fromKm: 6, perKmFen: 300 },
    ],
    weight: { freeG: 3_000, perKgFen: 250 },
    peakFen: 500,
    nightFen: 200,
    weatherFen: weather(0, 400, 900, 800),
  },
  maxRangeM: 12_000,
  eta: { pickupBaseS: 720, speedMps: 4.5, weatherSpeed: STANDARD_ROAD_SPEED, handoverS: 120 },
  supply: { level: 1.4, weather: factors(1, 0.6, 0.35, 0.4), night: 0.4 },
  acceptance: { baseRate: 0.93, meanDelayS: 90, giveUpAfterS: 900 },
  rating: 4.3,
  riderCancelRate: 0.08,
  cancellation: { afterAcceptFen: 200, afterPickupShare: 1 },
}

export const OWN_FLEET: CarrierProfile = {
  carrier: 'own_fleet',
  character: "the merchant's riders: flat price within 5 km, quick pickup, few riders",
  pricing: {
    baseFen: 800,
    bands: [{ fromKm: 0, perKmFen: 0 }],
    weight: { freeG: 10_000, perKgFen: 100 },
    peakFen: 0,
    nightFen: 0,
    weatherFen: weather(0, 0, 0, 0),
  },
  maxRangeM: 5_000,
  eta: { pickupBaseS: 240, speedMps: 4.2, weatherSpeed: STANDARD_ROAD_SPEED, handoverS: 90 },
  supply: { level: 0.9, weather: factors(1, 0.8, 0.6, 0.5), night: 0.3 },
  acceptance: { baseRate: 0.99, meanDelayS: 30, giveUpAfterS: 600 },
  rating: 4.7,
  riderCancelRate: 0.02,
  cancellation: { afterAcceptFen: 100, afterPickupShare: 0.5 },
}

export const DEFAULT_PROFILES: ProfileRegistry = Object.fromEntries(
  [DADA, MEITUAN, FENGNIAO, SF_SAME_CITY, SHANSONG, UU, OWN_FLEET].map((profile) => [
    profile.carrier,
    profile,
  ])
)

/** A middle-of-the-road carrier for emulators the market has no profile for yet. */
export function genericProfile(carrier: string): CarrierProfile {
  return { ...FENGNIAO, carrier, character: 'generic profile (no market profile for this carrier)' }
}
