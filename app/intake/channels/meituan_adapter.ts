import type { ChannelAdapter } from '#intake/channels/channel_adapter'
import { compileSchema } from '#schemas/json_validator'
import { yuanToFen } from '#intake/money'

/** Platforms rarely send weight: assume a typical takeaway portion per item. */
const ESTIMATED_GRAMS_PER_ITEM = 400

interface MeituanPush {
  order_id: number | string
  wm_order_id_view?: string
  app_poi_code: string
  recipient_name: string
  recipient_phone: string
  recipient_address: string
  city_name: string
  latitude: number
  longitude: number
  detail: string
  total: number
  caution?: string
  delivery_time: number
  package_weight?: number
}

interface MeituanItem {
  food_name: string
  quantity: number
}

const schema = {
  $id: 'MeituanOrderPush',
  title: 'MeituanOrderPush',
  type: 'object',
  additionalProperties: true,
  required: [
    'order_id',
    'app_poi_code',
    'recipient_name',
    'recipient_phone',
    'recipient_address',
    'city_name',
    'latitude',
    'longitude',
    'detail',
    'total',
    'delivery_time',
  ],
  properties: {
    order_id: { type: ['integer', 'string'] },
    wm_order_id_view: { type: 'string' },
    app_poi_code: { type: 'string', minLength: 1, description: "The merchant's store code" },
    recipient_name: { type: 'string' },
    recipient_phone: { type: 'string' },
    recipient_address: { type: 'string' },
    city_name: { type: 'string' },
    latitude: { type: 'number', description: 'GCJ-02' },
    longitude: { type: 'number', description: 'GCJ-02' },
    detail: { type: 'string', description: 'JSON array of {food_name, quantity, price}' },
    total: { type: 'number', minimum: 0, description: 'Order total in yuan' },
    caution: { type: 'string' },
    delivery_time: {
      type: 'integer',
      minimum: 0,
      description: 'Unix seconds; 0 = as soon as possible',
    },
    package_weight: {
      type: 'integer',
      minimum: 1,
      description: 'Grams, when the platform knows it',
    },
  },
} as const

const validate = compileSchema<MeituanPush>(schema)

/**
 * Meituan Waimai style push: flat snake_case fields, items as a JSON string,
 * money in yuan, delivery time as unix seconds (0 = ASAP).
 */
export const meituanAdapter: ChannelAdapter = {
  channel: 'meituan',
  title: 'Meituan-style order push',
  schema,
  normalize(payload) {
    const checked = validate(payload)
    if (!checked.ok) return checked
    const push = checked.value

    let items: MeituanItem[]
    try {
      items = JSON.parse(push.detail)
      if (!Array.isArray(items)) throw new Error('not an array')
    } catch {
      return {
        ok: false,
        errors: [{ pointer: '/detail', rule: 'json', message: 'must be a JSON array of items' }],
      }
    }
    const itemCount = items.reduce((sum, item) => sum + (Number(item.quantity) || 1), 0) || 1
    const order: Record<string, unknown> = {
      store_code: push.app_poi_code,
      channel: 'meituan',
      external_id: String(push.wm_order_id_view ?? push.order_id),
      recipient: {
        name: push.recipient_name,
        phone: push.recipient_phone,
        address: push.recipient_address,
        city: push.city_name,
        lat: push.latitude,
        lng: push.longitude,
      },
      items_summary:
        items
          .map((item) => `${item.food_name}×${item.quantity ?? 1}`)
          .join(', ')
          .slice(0, 500) || '外卖订单',
      item_count: Math.min(itemCount, 999),
      weight_g: push.package_weight ?? Math.min(itemCount * ESTIMATED_GRAMS_PER_ITEM, 50_000),
      declared_value_fen: yuanToFen(push.total),
      category: 'food',
      tags: [],
    }
    if (push.caution) order.notes = push.caution.slice(0, 500)
    if (push.delivery_time > 0) {
      const start = new Date(push.delivery_time * 1000)
      order.delivery_window = {
        start: new Date(start.getTime() - 15 * 60_000).toISOString(),
        end: start.toISOString(),
      }
    }
    return { ok: true, order }
  },
}
