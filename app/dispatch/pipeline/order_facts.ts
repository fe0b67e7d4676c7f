import type { HubOrder } from '#sdk/contract'
import type { MerchantFact, OrderFact, StoreFact } from '#dispatch/types'

/** Straight-line distance in metres (GCJ-02 is close enough to WGS-84 for this). */
export function haversineMetres(a: { lat: number; lng: number }, b: { lat: number; lng: number }) {
  const rad = Math.PI / 180
  const dLat = (b.lat - a.lat) * rad
  const dLng = (b.lng - a.lng) * rad
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2
  return Math.round(2 * 6_371_000 * Math.asin(Math.sqrt(h)))
}

/** The joined rows the dispatcher loads for one order. */
export interface OrderRecord {
  id: number
  merchant_id: number
  store_id: number
  channel: string
  external_id: string
  recipient_name: string
  recipient_phone: string
  recipient_address: string
  recipient_city: string
  recipient_lat: number
  recipient_lng: number
  items_summary: string
  item_count: number
  weight_g: number
  declared_value_fen: number
  category: OrderFact['category']
  tags: string | string[]
  window_start: unknown
  notes: string | null
  tip_fen: number
  dispatch_round: number
  batch_id: number | null
  store_name: string
  store_address: string
  store_city: string
  store_lat: number
  store_lng: number
  store_contact_name: string
  store_contact_phone: string
  merchant_name: string
  merchant_tier: MerchantFact['tier']
}

function tagsOf(record: OrderRecord): string[] {
  return typeof record.tags === 'string' ? JSON.parse(record.tags) : record.tags
}

export function orderFact(record: OrderRecord): OrderFact {
  return {
    id: record.id,
    merchant_id: record.merchant_id,
    store_id: record.store_id,
    channel: record.channel,
    external_id: record.external_id,
    category: record.category,
    tags: tagsOf(record),
    weight_g: record.weight_g,
    declared_value_fen: record.declared_value_fen,
    item_count: record.item_count,
    is_scheduled: record.window_start !== null && record.window_start !== undefined,
    distance_m: haversineMetres(
      { lat: record.store_lat, lng: record.store_lng },
      { lat: record.recipient_lat, lng: record.recipient_lng }
    ),
    recipient: {
      city: record.recipient_city,
      lat: record.recipient_lat,
      lng: record.recipient_lng,
    },
  }
}

export function merchantFact(record: OrderRecord): MerchantFact {
  return { id: record.merchant_id, name: record.merchant_name, tier: record.merchant_tier }
}

export function storeFact(record: OrderRecord): StoreFact {
  return {
    id: record.store_id,
    city: record.store_city,
    lat: record.store_lat,
    lng: record.store_lng,
  }
}

/** The order as a carrier plugin receives it (full recipient: the carrier must deliver). */
export function hubOrder(record: OrderRecord, tipFen: number): HubOrder {
  return {
    id: String(record.id),
    external_id: record.external_id,
    store: {
      name: record.store_name,
      address: record.store_address,
      city: record.store_city,
      lat: record.store_lat,
      lng: record.store_lng,
      contact_name: record.store_contact_name,
      contact_phone: record.store_contact_phone,
    },
    recipient: {
      name: record.recipient_name,
      phone: record.recipient_phone,
      address: record.recipient_address,
      city: record.recipient_city,
      lat: record.recipient_lat,
      lng: record.recipient_lng,
    },
    items_summary: record.items_summary,
    item_count: record.item_count,
    weight_g: record.weight_g,
    declared_value_fen: record.declared_value_fen,
    category: record.category,
    notes: record.notes ?? '',
    tip_fen: tipFen,
  }
}
