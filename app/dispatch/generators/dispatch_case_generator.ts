import type {
  CarrierFact,
  OrderCategory,
  OrderFacts,
  QuoteInput,
  Vehicle,
  WeatherCondition,
} from '#dispatch/types'
import { SeededRandom } from '#dispatch/generators/random'
import { DEFAULT_PEAK_WINDOWS } from '#dispatch/decision/time_fact'
import { isInTimeWindow, parseTimeWindow } from '#dispatch/rules/time_window'

/*
 * Plausible orders with carrier quotes, from a seed. The distributions are
 * chosen so every default rule fires regularly (peak hours, VIPs, high values,
 * bad weather, medicine, cold chain, large cakes) and so fees tie often enough to
 * exercise tie-breaking. Used by the differential test, the benchmark and demos.
 */

export interface DispatchCase {
  facts: OrderFacts
  quotes: QuoteInput[]
}

export const SAMPLE_CARRIERS = [
  'dada',
  'sf',
  'shansong',
  'meituan',
  'fengniao',
  'uu',
  'own_fleet',
] as const

const CITIES = [
  { city: 'Shanghai', lat: 31.2304, lng: 121.4737 },
  { city: 'Beijing', lat: 39.9042, lng: 116.4074 },
  { city: 'Hangzhou', lat: 30.2741, lng: 120.1551 },
  { city: 'Shenzhen', lat: 22.5431, lng: 114.0579 },
  { city: 'Chengdu', lat: 30.5728, lng: 104.0668 },
]

const CATEGORY_WEIGHTS: ReadonlyArray<readonly [OrderCategory, number]> = [
  ['food', 35],
  ['drinks', 10],
  ['fresh', 10],
  ['grocery', 10],
  ['medicine', 8],
  ['flowers', 5],
  ['cake', 8],
  ['documents', 6],
  ['electronics', 5],
  ['other', 3],
]

const WEATHER_WEIGHTS: ReadonlyArray<readonly [WeatherCondition, number]> = [
  ['clear', 40],
  ['cloudy', 25],
  ['rain', 15],
  ['heavy_rain', 12],
  ['snow', 8],
]

const VEHICLE_WEIGHTS: ReadonlyArray<readonly [Vehicle, number]> = [
  ['bike', 20],
  ['ebike', 55],
  ['car', 18],
  ['van', 7],
]

const CAPABILITIES = [
  'cold_chain',
  'insulated_bag',
  'large_item',
  'fragile',
  'medicine',
  'high_value',
]
const TAGS = ['vip', 'fragile', 'urgent', 'gift', 'large']
const CHANNELS = ['pos', 'mini_program', 'meituan', 'eleme', 'phone']
const PEAK_WINDOWS = DEFAULT_PEAK_WINDOWS.map((window) => parseTimeWindow(window)!)

function generateCarrierStats(random: SeededRandom, id: string): CarrierFact {
  return {
    id,
    rating: random.float(3.6, 5, 2),
    acceptance_rate: random.float(0.5, 0.99, 2),
    on_time_rate: random.float(0.7, 0.99, 2),
    licensed_medicine: random.chance(0.4),
  }
}

function generateFacts(random: SeededRandom, sequence: number): OrderFacts {
  const place = random.pick(CITIES)
  const category = random.weighted(CATEGORY_WEIGHTS)
  const tags = random.subset(TAGS, 0.1)
  if (random.chance(category === 'fresh' ? 0.5 : 0.06)) tags.push('cold_chain')
  const weightG = category === 'cake' ? random.int(400, 6000) : random.int(100, 9000)
  const declaredValueFen = random.chance(0.12) ? random.int(50000, 200000) : random.int(800, 49999)
  const distanceM = random.int(300, 15000)
  const condition = random.weighted(WEATHER_WEIGHTS)
  const temperatureC =
    condition === 'snow'
      ? random.float(-12, 2, 1)
      : random.chance(0.1)
        ? random.float(35, 41, 1)
        : random.float(0, 34, 1)
  const minuteOfDay = random.chance(0.45)
    ? random.pick([random.int(660, 810), random.int(1020, 1170)])
    : random.int(0, 1439)
  const merchantId = random.int(1000, 1030)

  return {
    order: {
      id: 100000 + sequence,
      merchant_id: merchantId,
      store_id: merchantId * 10 + random.int(0, 3),
      channel: random.pick(CHANNELS),
      external_id: `EXT-${sequence}`,
      category,
      tags,
      weight_g: weightG,
      declared_value_fen: declaredValueFen,
      item_count: random.int(1, 12),
      is_scheduled: random.chance(0.1),
      distance_m: distanceM,
      recipient: {
        city: random.chance(0.95) ? place.city : random.pick(CITIES).city,
        lat: place.lat + random.float(-0.1, 0.1, 6),
        lng: place.lng + random.float(-0.1, 0.1, 6),
      },
    },
    merchant: {
      id: merchantId,
      name: `Merchant ${merchantId}`,
      tier: random.weighted([
        ['standard', 75],
        ['vip', 15],
        ['key_account', 10],
      ] as const),
    },
    store: {
      id: merchantId * 10,
      city: place.city,
      lat: place.lat,
      lng: place.lng,
    },
    weather: { condition, temperature_c: temperatureC, wind_level: random.int(0, 9) },
    time: {
      hour: Math.floor(minuteOfDay / 60),
      minute: minuteOfDay % 60,
      weekday: random.int(1, 7),
      is_peak: PEAK_WINDOWS.some((window) => isInTimeWindow(minuteOfDay, window)),
      minute_of_day: minuteOfDay,
    },
  }
}

function generateQuotes(random: SeededRandom, facts: OrderFacts, count: number): QuoteInput[] {
  const distanceM = facts.order.distance_m
  return random.sample(SAMPLE_CARRIERS, Math.min(count, SAMPLE_CARRIERS.length)).map((carrier) => {
    const rawFee = 500 + (distanceM / 1000) * random.int(90, 220) + random.int(0, 400)
    const feeFen = random.chance(0.3)
      ? Math.round(rawFee / 100) * 100
      : Math.round(rawFee / 10) * 10
    const capabilities = random.subset(CAPABILITIES, 0.35)
    return {
      quote: {
        carrier,
        account_id: `${carrier}-${random.int(1, 2)}`,
        fee_fen: feeFen,
        pickup_eta_s: random.int(2, 25) * 60,
        dropoff_eta_s: Math.round(distanceM / random.float(3, 7, 1) / 60) * 60,
        distance_m: Math.round(distanceM * random.float(0.95, 1.2, 2)),
        capabilities,
        vehicle: random.weighted(VEHICLE_WEIGHTS),
      },
      carrier: generateCarrierStats(random, carrier),
    }
  })
}

export function generateDispatchCase(
  random: SeededRandom,
  sequence: number,
  quotesPerOrder = 5
): DispatchCase {
  const facts = generateFacts(random, sequence)
  return { facts, quotes: generateQuotes(random, facts, quotesPerOrder) }
}

export function generateDispatchCases(
  seed: number,
  count: number,
  quotesPerOrder = 5
): DispatchCase[] {
  const random = new SeededRandom(seed)
  return Array.from({ length: count }, (_, index) =>
    generateDispatchCase(random, index, quotesPerOrder)
  )
}

/*
 * Facts as they may arrive from old records or a buggy integration: missing or
 * null members, wrong types. Both evaluators must still agree (including both
 * throwing), so the differential test mixes some of these in.
 */
export function distortFacts(random: SeededRandom, facts: OrderFacts): OrderFacts {
  const distorted = structuredClone(facts) as unknown as Record<
    string,
    Record<string, unknown> | unknown
  >
  const order = distorted.order as Record<string, unknown>
  const distortions: Array<() => void> = [
    () => delete order.tags,
    () => (order.tags = []),
    () => (order.recipient = null),
    () => (order.category = 42),
    () => (order.declared_value_fen = String(order.declared_value_fen)),
    () => (distorted.weather = null),
    () => (distorted.weather = 'heavy_rain'),
    () => (distorted.time = facts.time.minute_of_day),
    () => delete (distorted.merchant as Record<string, unknown>).tier,
    () => (distorted.store = undefined),
  ]
  for (const distortion of random.sample(distortions, random.int(1, 3))) distortion()
  return distorted as unknown as OrderFacts
}
