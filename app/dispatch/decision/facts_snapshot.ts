import type { OrderFacts, QuoteInput } from '#dispatch/types'
import type { Shape } from '#dispatch/rules/shape'
import { shapeTypes } from '#dispatch/rules/shape'
import { findFact } from '#dispatch/rules/fact_catalog'

/*
 * The facts a decision was made on, for the decision record and for backtests.
 * Only properties declared in the fact catalog are kept, so anything personal
 * that slipped into a fact object (a phone, an address) never reaches the record;
 * recipient coordinates are rounded to 3 decimals (about 100 m).
 */

export interface FactsSnapshot {
  facts: OrderFacts
  quotes: QuoteInput[]
}

const COORDINATE_DECIMALS = 3

function project(value: unknown, shape: Shape): unknown {
  if (value === null || value === undefined) return value
  const types = shapeTypes(shape)
  if (Array.isArray(value)) {
    return types.includes('array') && shape.items
      ? value.map((item) => project(item, shape.items!))
      : undefined
  }
  if (typeof value === 'object') {
    if (!types.includes('object') || !shape.properties) return undefined
    const projected: Record<string, unknown> = {}
    for (const [key, child] of Object.entries(shape.properties)) {
      if (Object.hasOwn(value, key))
        projected[key] = project((value as Record<string, unknown>)[key], child)
    }
    return projected
  }
  return value
}

function projectFact(name: string, value: unknown): unknown {
  const definition = findFact(name)
  return definition ? project(value, definition.shape) : undefined
}

const roundCoordinate = (value: unknown) =>
  typeof value === 'number' ? Number(value.toFixed(COORDINATE_DECIMALS)) : value

export function snapshotFacts(
  facts: OrderFacts,
  quotes: readonly QuoteInput[] = []
): FactsSnapshot {
  const order = projectFact('order', facts.order) as OrderFacts['order'] | null
  if (order?.recipient) {
    order.recipient = {
      ...order.recipient,
      lat: roundCoordinate(order.recipient.lat) as number,
      lng: roundCoordinate(order.recipient.lng) as number,
    }
  }
  return {
    facts: {
      order: order as OrderFacts['order'],
      merchant: projectFact('merchant', facts.merchant) as OrderFacts['merchant'],
      store: projectFact('store', facts.store) as OrderFacts['store'],
      weather: projectFact('weather', facts.weather) as OrderFacts['weather'],
      time: projectFact('time', facts.time) as OrderFacts['time'],
    },
    quotes: quotes.map((input) => ({
      quote: projectFact('quote', input.quote) as QuoteInput['quote'],
      carrier: projectFact('carrier', input.carrier) as QuoteInput['carrier'],
    })),
  }
}
