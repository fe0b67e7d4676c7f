/**
 * Shared scenery for the market tests: a store in Shanghai, customers at a given
 * road distance, fixed weather, and "who wins" over a set of orders.
 */
import { offsetPoint, ROAD_FACTOR } from '#sandbox/geo'
import type { ProfileRegistry } from '#sandbox/market/carrier_profile'
import { Market, type MarketPrice } from '#sandbox/market/market'
import { chinaTime } from '#sandbox/market/time_of_day'
import type { WeatherCondition } from '#weather/weather_source'

export const STORE = { lat: 31.190236, lng: 121.436525 }

/** 15:30 on a Tuesday: an ordinary afternoon. */
export const OFF_PEAK = chinaTime('2025-03-04', 15, 30)
/** 12:10: the lunch rush. */
export const LUNCH_PEAK = chinaTime('2025-03-04', 12, 10)

export function marketWith(
  condition: WeatherCondition,
  options: { seed?: number; profiles?: ProfileRegistry } = {}
) {
  return new Market({
    seed: options.seed ?? 42,
    profiles: options.profiles,
    weather: (_city, at) => ({
      condition,
      temperature_c: 18,
      wind_level: 2,
      observed_at: at.toISOString(),
    }),
  })
}

/** A customer about `roadKm` by road from the store, in a direction that varies per order. */
export function customerAt(roadKm: number, orderIndex = 0) {
  return offsetPoint(STORE, (roadKm * 1000) / ROAD_FACTOR, orderIndex * 0.7)
}

export function quoteAll(
  market: Market,
  input: { roadKm: number; at: Date; orderKey: string; weightG?: number; orderIndex?: number }
) {
  return market.carriers().map((carrier) =>
    market.quote({
      carrier,
      city: '上海',
      from: STORE,
      to: customerAt(input.roadKm, input.orderIndex),
      weightG: input.weightG ?? 1_500,
      at: input.at,
      orderKey: input.orderKey,
    })
  )
}

type Winner = (quotes: MarketPrice[]) => string | undefined

export const cheapest: Winner = (quotes) =>
  quotes.flatMap((q) => (q.ok ? [q] : [])).sort((a, b) => a.feeFen - b.feeFen)[0]?.carrier

export const fastest: Winner = (quotes) =>
  quotes.flatMap((q) => (q.ok ? [q] : [])).sort((a, b) => a.dropoffEtaS - b.dropoffEtaS)[0]?.carrier

/** The carrier that wins most of `orders` orders (ties: first seen). */
export function usualWinner(
  market: Market,
  winner: Winner,
  scenario: { roadKm: number; at: Date },
  orders = 30
): string | undefined {
  const wins = new Map<string, number>()
  for (let index = 0; index < orders; index++) {
    const carrier = winner(
      quoteAll(market, { ...scenario, orderKey: `ord-${index}`, orderIndex: index })
    )
    if (carrier) wins.set(carrier, (wins.get(carrier) ?? 0) + 1)
  }
  return [...wins.entries()].sort((a, b) => b[1] - a[1])[0]?.[0]
}
