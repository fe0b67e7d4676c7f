import type { ChannelAdapter } from '#intake/channels/channel_adapter'
import { compileSchema } from '#schemas/json_validator'
import { yuanToFen } from '#intake/money'

const ESTIMATED_GRAMS_PER_ITEM = 400

interface ElemePush {
  id: string
  openId: string
  consignee: string
  phoneList: string[]
  deliveryPoiAddress: string
  cityName: string
  deliveryGeo: string
  groups: { items: { name: string; quantity: number }[] }[]
  totalPrice: number
  description?: string
  book: boolean
  deliverTime?: string | null
}

const schema = {
  $id: 'ElemeOrderPush',
  title: 'ElemeOrderPush',
  type: 'object',
  additionalProperties: true,
  required: [
    'id',
    'openId',
    'consignee',
    'phoneList',
    'deliveryPoiAddress',
    'cityName',
    'deliveryGeo',
    'groups',
    'totalPrice',
    'book',
  ],
  properties: {
    id: { type: 'string', minLength: 1 },
    openId: { type: 'string', minLength: 1, description: "The merchant's store code" },
    consignee: { type: 'string' },
    phoneList: { type: 'array', minItems: 1, items: { type: 'string' } },
    deliveryPoiAddress: { type: 'string' },
    cityName: { type: 'string' },
    deliveryGeo: {
      type: 'string',
      pattern: '^-?[0-9.]+,-?[0-9.]+$',
      description: '"lng,lat" in GCJ-02',
    },
    groups: {
      type: 'array',
      items: {
        type: 'object',
        required: ['items'],
        properties: {
          items: {
            type: 'array',
            items: {
              type: 'object',
              required: ['name', 'quantity'],
              properties: { name: { type: 'string' }, quantity: { type: 'integer', minimum: 1 } },
            },
          },
        },
      },
    },
    totalPrice: { type: 'number', minimum: 0, description: 'Yuan' },
    description: { type: 'string' },
    book: { type: 'boolean', description: 'Scheduled (预订单) order' },
    deliverTime: { type: ['string', 'null'], format: 'date-time' },
  },
} as const

const validate = compileSchema<ElemePush>(schema)

/**
 * Ele.me style push: camelCase fields, a phone list, "lng,lat" geo string,
 * item groups, yuan amounts, and `book` + `deliverTime` for scheduled orders.
 */
export const elemeAdapter: ChannelAdapter = {
  channel: 'eleme',
  title: 'Ele.me-style order push',
  schema,
  normalize(payload) {
    const checked = validate(payload)
    if (!checked.ok) return checked
    const push = checked.value
    const [lng, lat] = push.deliveryGeo.split(',').map(Number)
    const items = push.groups.flatMap((group) => group.items)
    const itemCount = items.reduce((sum, item) => sum + item.quantity, 0) || 1

    if (push.book && !push.deliverTime) {
      return {
        ok: false,
        errors: [
          { pointer: '/deliverTime', rule: 'required', message: 'is required when book is true' },
        ],
      }
    }
    const order: Record<string, unknown> = {
      store_code: push.openId,
      channel: 'eleme',
      external_id: push.id,
      recipient: {
        name: push.consignee,
        // The first number is the customer's; the rest are privacy relay numbers.
        phone: push.phoneList[0],
        address: push.deliveryPoiAddress,
        city: push.cityName,
        lat,
        lng,
      },
      items_summary:
        items
          .map((item) => `${item.name}×${item.quantity}`)
          .join(', ')
          .slice(0, 500) || '外卖订单',
      item_count: Math.min(itemCount, 999),
      weight_g: Math.min(itemCount * ESTIMATED_GRAMS_PER_ITEM, 50_000),
      declared_value_fen: yuanToFen(push.totalPrice),
      category: 'food',
      tags: [],
    }
    if (push.description) order.notes = push.description.slice(0, 500)
    if (push.book && push.deliverTime) {
      const end = new Date(push.deliverTime)
      order.delivery_window = {
        start: new Date(end.getTime() - 15 * 60_000).toISOString(),
        end: end.toISOString(),
      }
    }
    return { ok: true, order }
  },
}
