import { ORDER_CATEGORIES } from '#services/order_status'

/*
 * The published JSON Schema of an order as a POS sends it. The same object
 * validates requests (ajv) and appears in the OpenAPI document, so the two cannot
 * drift apart.
 */

/** Mainland mobile (11 digits starting 1[3-9]) or a landline with area code. */
export const PHONE_PATTERN = '^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?)$'

/** GCJ-02 only exists inside China; anything outside this box is a data error. */
export const CHINA_BOUNDS = { minLat: 3.8, maxLat: 53.6, minLng: 73.5, maxLng: 135.1 }

export const MAX_WEIGHT_G = 50_000
export const MAX_DECLARED_VALUE_FEN = 10_000_000
export const MAX_BATCH_ORDERS = 5_000

export const recipientSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'phone', 'address', 'city', 'lat', 'lng'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 64 },
    phone: { type: 'string', pattern: PHONE_PATTERN, description: 'Mainland mobile or landline' },
    address: { type: 'string', minLength: 1, maxLength: 255 },
    city: { type: 'string', minLength: 1, maxLength: 64 },
    lat: {
      type: 'number',
      minimum: CHINA_BOUNDS.minLat,
      maximum: CHINA_BOUNDS.maxLat,
      description: 'GCJ-02',
    },
    lng: {
      type: 'number',
      minimum: CHINA_BOUNDS.minLng,
      maximum: CHINA_BOUNDS.maxLng,
      description: 'GCJ-02',
    },
  },
} as const

export const orderInputSchema = {
  $id: 'OrderInput',
  title: 'OrderInput',
  type: 'object',
  additionalProperties: false,
  required: [
    'external_id',
    'recipient',
    'items_summary',
    'weight_g',
    'declared_value_fen',
    'category',
  ],
  properties: {
    store_id: {
      type: 'integer',
      minimum: 1,
      description: 'The store to pick up from (or use store_code)',
    },
    store_code: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description: "The merchant's own store code",
    },
    channel: {
      type: 'string',
      pattern: '^[a-z][a-z0-9_]{1,31}$',
      default: 'pos',
      description: 'Where the order came from: pos, mini_program, phone, meituan, eleme...',
    },
    external_id: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description: 'The order id in the source system; unique per merchant and channel',
    },
    recipient: recipientSchema,
    items_summary: { type: 'string', minLength: 1, maxLength: 500 },
    item_count: { type: 'integer', minimum: 1, maximum: 999, default: 1 },
    weight_g: { type: 'integer', minimum: 1, maximum: MAX_WEIGHT_G },
    declared_value_fen: { type: 'integer', minimum: 0, maximum: MAX_DECLARED_VALUE_FEN },
    category: { type: 'string', enum: [...ORDER_CATEGORIES] },
    tags: {
      type: 'array',
      maxItems: 20,
      uniqueItems: true,
      items: { type: 'string', pattern: '^[a-z0-9_:-]{1,32}$' },
      default: [],
    },
    delivery_window: {
      type: 'object',
      additionalProperties: false,
      required: ['start', 'end'],
      description: 'Omit for as-soon-as-possible delivery',
      properties: {
        start: { type: 'string', format: 'date-time' },
        end: { type: 'string', format: 'date-time' },
      },
    },
    notes: { type: 'string', maxLength: 500 },
  },
} as const

export const orderBatchInputSchema = {
  $id: 'OrderBatchInput',
  title: 'OrderBatchInput',
  type: 'object',
  additionalProperties: false,
  required: ['orders'],
  properties: {
    // Items are validated one by one so that one bad order cannot sink the others.
    orders: { type: 'array', minItems: 1, maxItems: MAX_BATCH_ORDERS, items: { type: 'object' } },
  },
} as const

export const cancelInputSchema = {
  $id: 'CancelInput',
  title: 'CancelInput',
  type: 'object',
  additionalProperties: false,
  properties: {
    reason: { type: 'string', minLength: 1, maxLength: 255 },
  },
} as const
