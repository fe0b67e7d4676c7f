import type Store from '#models/store'
import { BaseTransformer } from '@adonisjs/core/transformers'

/** Store contacts are the merchant's own staff, shown in full to whoever may see the store. */
export default class StoreTransformer extends BaseTransformer<Store> {
  toObject() {
    const s = this.resource
    return {
      id: s.id,
      merchant_id: s.merchantId,
      code: s.code,
      name: s.name,
      address: s.address,
      city: s.city,
      lat: s.lat,
      lng: s.lng,
      contact_name: s.contactName,
      contact_phone: s.contactPhone,
      created_at: s.createdAt.toISO(),
      updated_at: s.updatedAt.toISO(),
    }
  }
}
