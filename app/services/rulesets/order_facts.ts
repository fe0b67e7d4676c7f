import Order from '#models/order'
import Store from '#models/store'
import Merchant from '#models/merchant'
import type { OrderFact, OrderFacts, TimeFact, WeatherFact } from '#dispatch/types'
import { buildTimeFact } from '#dispatch/decision/time_fact'
import { latestDecisionFor } from '#services/rulesets/decision_records'

/*
 * Rule facts for an order stored in the hub, built from the orders, stores and
 * merchants tables. `buildOrderFacts` is pure, for the dispatch pipeline, which
 * knows the live weather; `factsForStoredOrder` is for dry runs, which do not:
 * they take weather and time from the order's latest decision record when there
 * is one, and otherwise fall back to a clear-sky default and the order's creation
 * time, and say so in `assumptions`.
 */

/** What a dry run assumes when nothing recorded the weather: an ordinary clear day. */
export const DEFAULT_WEATHER: WeatherFact = { condition: 'clear', temperature_c: 20, wind_level: 1 }

const EARTH_RADIUS_M = 6_371_008.8

/** Great-circle distance in whole metres; GCJ-02 offsets cancel out at city scale. */
export function distanceMeters(
  from: { lat: number; lng: number },
  to: { lat: number; lng: number }
): number {
  const rad = (degrees: number) => (degrees * Math.PI) / 180
  const dLat = rad(to.lat - from.lat)
  const dLng = rad(to.lng - from.lng)
  const a =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(rad(from.lat)) * Math.cos(rad(to.lat)) * Math.sin(dLng / 2) ** 2
  return Math.round(2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a))))
}

export function orderFactOf(order: Order, store: Store): OrderFact {
  return {
    id: order.id,
    merchant_id: order.merchantId,
    store_id: order.storeId,
    channel: order.channel,
    external_id: order.externalId,
    category: order.category,
    tags: [...(order.tags ?? [])],
    weight_g: order.weightG,
    declared_value_fen: order.declaredValueFen,
    item_count: order.itemCount,
    is_scheduled: order.windowStart !== null,
    distance_m: distanceMeters(store, { lat: order.recipientLat, lng: order.recipientLng }),
    recipient: { city: order.recipientCity, lat: order.recipientLat, lng: order.recipientLng },
  }
}

export function buildOrderFacts(
  order: Order,
  store: Store,
  merchant: Merchant,
  weather: WeatherFact,
  time: TimeFact
): OrderFacts {
  return {
    order: orderFactOf(order, store),
    merchant: { id: merchant.id, name: merchant.name, tier: merchant.tier },
    store: { id: store.id, city: store.city, lat: store.lat, lng: store.lng },
    weather,
    time,
  }
}

export interface StoredOrderFacts {
  facts: OrderFacts
  /** where weather and time came from */
  sources: {
    weather: 'request' | 'decision_record' | 'default'
    time: 'decision_record' | 'order_created_at'
  }
  decisionRecordId: number | null
  assumptions: string[]
}

/**
 * `scope` from merchantScope(): a merchant user only finds their own orders.
 * Returns null when the order does not exist (for the caller to report against
 * its own field).
 */
export async function factsForStoredOrder(
  scope: number | null,
  orderId: number,
  weatherOverride?: WeatherFact
): Promise<StoredOrderFacts | null> {
  const query = Order.query().where('id', orderId)
  if (scope !== null) query.where('merchant_id', scope)
  const order = await query.first()
  if (!order) return null
  const [store, merchant, recorded] = await Promise.all([
    Store.findOrFail(order.storeId),
    Merchant.findOrFail(order.merchantId),
    latestDecisionFor(order.id),
  ])

  const assumptions: string[] = []
  let weather: WeatherFact
  let weatherSource: StoredOrderFacts['sources']['weather']
  if (weatherOverride) {
    weather = weatherOverride
    weatherSource = 'request'
  } else if (recorded?.factsSnapshot?.weather) {
    weather = recorded.factsSnapshot.weather
    weatherSource = 'decision_record'
  } else {
    weather = { ...DEFAULT_WEATHER }
    weatherSource = 'default'
    assumptions.push(
      `No weather is recorded for order ${order.id}: assumed ${DEFAULT_WEATHER.condition}, ${DEFAULT_WEATHER.temperature_c} °C, wind ${DEFAULT_WEATHER.wind_level}. Pass "weather" to try other conditions.`
    )
  }

  let time: TimeFact
  let timeSource: StoredOrderFacts['sources']['time']
  if (recorded?.factsSnapshot?.time) {
    time = recorded.factsSnapshot.time
    timeSource = 'decision_record'
  } else {
    time = buildTimeFact(order.createdAt.toJSDate())
    timeSource = 'order_created_at'
    assumptions.push(
      `Time is when order ${order.id} was created (${order.createdAt.toISO()}), in China Standard Time.`
    )
  }

  return {
    facts: buildOrderFacts(order, store, merchant, weather, time),
    sources: { weather: weatherSource, time: timeSource },
    decisionRecordId: recorded?.id ?? null,
    assumptions,
  }
}
