import { DateTime } from 'luxon'
import type { OrderInput } from '#services/order_validation'

const SQL_DATETIME = 'yyyy-MM-dd HH:mm:ss'

export function sqlNow() {
  return DateTime.utc().toFormat(SQL_DATETIME)
}

function sqlTime(iso: string) {
  return DateTime.fromISO(iso, { setZone: true }).toUTC().toFormat(SQL_DATETIME)
}

/**
 * A validated order as an `orders` row, for multi-row inserts that skip the
 * model layer (a 5,000-order batch is one statement per 500 rows).
 */
export function toOrderRow(
  input: OrderInput,
  merchantId: number,
  storeId: number,
  batchId: number | null,
  now: string
) {
  return {
    merchant_id: merchantId,
    store_id: storeId,
    batch_id: batchId,
    channel: input.channel,
    external_id: input.external_id,
    recipient_name: input.recipient.name,
    recipient_phone: input.recipient.phone,
    recipient_address: input.recipient.address,
    recipient_city: input.recipient.city,
    recipient_lat: input.recipient.lat,
    recipient_lng: input.recipient.lng,
    items_summary: input.items_summary,
    item_count: input.item_count,
    weight_g: input.weight_g,
    declared_value_fen: input.declared_value_fen,
    category: input.category,
    tags: JSON.stringify(input.tags ?? []),
    window_start: input.delivery_window ? sqlTime(input.delivery_window.start) : null,
    window_end: input.delivery_window ? sqlTime(input.delivery_window.end) : null,
    notes: input.notes ?? null,
    status: 'created',
    received_at_ms: Date.now(),
    created_at: now,
    updated_at: now,
  }
}

export type OrderRow = ReturnType<typeof toOrderRow>
