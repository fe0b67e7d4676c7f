import type { CarrierFact, OrderFacts, QuoteFact, QuoteInput } from '#dispatch/types'

/*
 * A hand-made order and five quotes whose outcome under the default rules is
 * easy to work out on paper. Tests override only what their scenario changes.
 *
 * cost-first scores (100 × cheapest / fee): dada 100, sf 88.8889, meituan 84.2105,
 * uu 80, shansong 53.3333. ETAs: shansong 840 s is fastest. Ratings: sf 4.9 best.
 * Acceptance: sf 0.95 and shansong 0.92 are >= 0.9, meituan 0.65 is < 0.7.
 */

export interface FactsOverrides {
  order?: Partial<OrderFacts['order']>
  merchant?: Partial<OrderFacts['merchant']>
  store?: Partial<OrderFacts['store']>
  weather?: Partial<OrderFacts['weather']>
  time?: Partial<OrderFacts['time']>
}

export function orderFacts(overrides: FactsOverrides = {}): OrderFacts {
  return {
    order: {
      id: 1,
      merchant_id: 2000,
      store_id: 20000,
      channel: 'pos',
      external_id: 'POS-1',
      category: 'food',
      tags: [],
      weight_g: 800,
      declared_value_fen: 3000,
      item_count: 2,
      is_scheduled: false,
      distance_m: 2000,
      recipient: { city: 'Shanghai', lat: 31.224567, lng: 121.469123 },
      ...overrides.order,
    },
    merchant: { id: 2000, name: 'Noodle House', tier: 'standard', ...overrides.merchant },
    store: { id: 20000, city: 'Shanghai', lat: 31.2304, lng: 121.4737, ...overrides.store },
    weather: { condition: 'clear', temperature_c: 22, wind_level: 2, ...overrides.weather },
    time: {
      hour: 15,
      minute: 0,
      weekday: 3,
      is_peak: false,
      minute_of_day: 900,
      ...overrides.time,
    },
  }
}

function offer(
  quote: Pick<
    QuoteFact,
    'carrier' | 'fee_fen' | 'pickup_eta_s' | 'dropoff_eta_s' | 'vehicle' | 'capabilities'
  >,
  stats: Omit<CarrierFact, 'id'>
): QuoteInput {
  return {
    quote: { account_id: `${quote.carrier}-main`, distance_m: 2100, ...quote },
    carrier: { id: quote.carrier, ...stats },
  }
}

export function standardQuotes(): QuoteInput[] {
  return [
    offer(
      {
        carrier: 'dada',
        fee_fen: 800,
        pickup_eta_s: 600,
        dropoff_eta_s: 900,
        vehicle: 'ebike',
        capabilities: ['insulated_bag'],
      },
      { rating: 4.6, acceptance_rate: 0.85, on_time_rate: 0.9, licensed_medicine: false }
    ),
    offer(
      {
        carrier: 'sf',
        fee_fen: 900,
        pickup_eta_s: 300,
        dropoff_eta_s: 900,
        vehicle: 'ebike',
        capabilities: ['cold_chain', 'insulated_bag'],
      },
      { rating: 4.9, acceptance_rate: 0.95, on_time_rate: 0.97, licensed_medicine: true }
    ),
    offer(
      {
        carrier: 'shansong',
        fee_fen: 1500,
        pickup_eta_s: 240,
        dropoff_eta_s: 600,
        vehicle: 'car',
        capabilities: ['fragile'],
      },
      { rating: 4.8, acceptance_rate: 0.92, on_time_rate: 0.95, licensed_medicine: true }
    ),
    offer(
      {
        carrier: 'meituan',
        fee_fen: 950,
        pickup_eta_s: 480,
        dropoff_eta_s: 1000,
        vehicle: 'bike',
        capabilities: [],
      },
      { rating: 4.5, acceptance_rate: 0.65, on_time_rate: 0.88, licensed_medicine: false }
    ),
    offer(
      {
        carrier: 'uu',
        fee_fen: 1000,
        pickup_eta_s: 700,
        dropoff_eta_s: 1100,
        vehicle: 'van',
        capabilities: ['large_item'],
      },
      { rating: 4.2, acceptance_rate: 0.75, on_time_rate: 0.85, licensed_medicine: false }
    ),
  ]
}

/** carrier ids in rank order, excluded ones left out */
export function rankedCarriers(decision: {
  candidates: Array<{ carrier: string; rank: number | null }>
}) {
  return decision.candidates
    .filter((candidate) => candidate.rank !== null)
    .map((candidate) => candidate.carrier)
}

export function excludedBy(decision: {
  candidates: Array<{ carrier: string; excluded: { by: string } | null }>
}) {
  return Object.fromEntries(
    decision.candidates
      .filter((candidate) => candidate.excluded)
      .map((candidate) => [candidate.carrier, candidate.excluded!.by])
  )
}
