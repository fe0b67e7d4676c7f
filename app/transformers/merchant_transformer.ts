import type Merchant from '#models/merchant'
import { BaseTransformer } from '@adonisjs/core/transformers'

export default class MerchantTransformer extends BaseTransformer<Merchant> {
  toObject() {
    const m = this.resource
    return {
      id: m.id,
      name: m.name,
      code: m.code,
      tier: m.tier,
      status: m.status,
      contact_phone: m.contactPhone,
      created_at: m.createdAt.toISO(),
      updated_at: m.updatedAt.toISO(),
    }
  }
}
