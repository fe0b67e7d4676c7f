import type Order from '#models/order'
import { BaseTransformer } from '@adonisjs/core/transformers'
import { maskAddress, maskName, maskPhone } from '#services/masking'

/**
 * The public order shape. `reveal` decides whether the recipient is shown in
 * full: only to the merchant's own POS key and to staff, and never in lists.
 */
export default class OrderTransformer extends BaseTransformer<Order> {
  constructor(
    resource: Order,
    private options: { reveal: boolean } = { reveal: false }
  ) {
    super(resource)
  }

  toObject() {
    const o = this.resource
    const reveal = this.options.reveal
    return {
      id: o.id,
      merchant_id: o.merchantId,
      store_id: o.storeId,
      batch_id: o.batchId,
      channel: o.channel,
      external_id: o.externalId,
      status: o.status,
      recipient: {
        name: reveal ? o.recipientName : maskName(o.recipientName),
        phone: reveal ? o.recipientPhone : maskPhone(o.recipientPhone),
        address: reveal ? o.recipientAddress : maskAddress(o.recipientAddress),
        city: o.recipientCity,
        lat: o.recipientLat,
        lng: o.recipientLng,
      },
      items_summary: o.itemsSummary,
      item_count: o.itemCount,
      weight_g: o.weightG,
      declared_value_fen: o.declaredValueFen,
      category: o.category,
      tags: o.tags,
      delivery_window:
        o.windowStart && o.windowEnd
          ? { start: o.windowStart.toISO(), end: o.windowEnd.toISO() }
          : null,
      notes: o.notes,
      cancel_reason: o.cancelReason,
      cancelled_at: o.cancelledAt?.toISO() ?? null,
      created_at: o.createdAt.toISO(),
      updated_at: o.updatedAt.toISO(),
    }
  }
}
