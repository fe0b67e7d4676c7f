import type { FieldError } from '#exceptions/problem'
import { compileSchema } from '#schemas/json_validator'
import { orderInputSchema } from '#schemas/order_intake_schema'
import type { OrderCategory } from '#services/order_status'
import type Store from '#models/store'

/** An order as a POS sends it, after schema validation and defaults. */
export interface OrderInput {
  store_id?: number
  store_code?: string
  channel: string
  external_id: string
  recipient: {
    name: string
    phone: string
    address: string
    city: string
    lat: number
    lng: number
  }
  items_summary: string
  item_count: number
  weight_g: number
  declared_value_fen: number
  category: OrderCategory
  tags: string[]
  delivery_window?: { start: string; end: string }
  notes?: string
}

/** The longest a scheduled window may lie ahead: same-city delivery, not freight. */
const MAX_SCHEDULE_AHEAD_MS = 7 * 24 * 3600 * 1000

const validateShape = compileSchema<OrderInput>(orderInputSchema)

export type StoreLookup = { byId: Map<number, Store>; byCode: Map<string, Store> }

export function storeLookup(stores: Store[]): StoreLookup {
  return {
    byId: new Map(stores.map((s) => [s.id, s])),
    byCode: new Map(stores.map((s) => [s.code, s])),
  }
}

/**
 * Schema first (shape, types, ranges), then the rules a schema cannot express:
 * the store must be the merchant's own, and a delivery window must make sense.
 * `pointerPrefix` places errors inside a batch (`/orders/7`).
 */
export function validateOrder(
  data: unknown,
  stores: StoreLookup,
  now: number,
  pointerPrefix = ''
): { ok: true; value: OrderInput; store: Store } | { ok: false; errors: FieldError[] } {
  const shape = validateShape(data)
  if (!shape.ok) {
    return {
      ok: false,
      errors: shape.errors.map((e) => ({ ...e, pointer: pointerPrefix + e.pointer })),
    }
  }
  const order = shape.value
  const errors: FieldError[] = []

  let store: Store | undefined
  if (order.store_id !== undefined && order.store_code !== undefined) {
    errors.push({
      pointer: `${pointerPrefix}/store_code`,
      rule: 'oneOf',
      message: 'send store_id or store_code, not both',
    })
  } else if (order.store_id !== undefined) {
    store = stores.byId.get(order.store_id)
    if (!store)
      errors.push({
        pointer: `${pointerPrefix}/store_id`,
        rule: 'exists',
        message: 'no such store for this merchant',
      })
  } else if (order.store_code !== undefined) {
    store = stores.byCode.get(order.store_code)
    if (!store)
      errors.push({
        pointer: `${pointerPrefix}/store_code`,
        rule: 'exists',
        message: 'no such store for this merchant',
      })
  } else {
    errors.push({
      pointer: `${pointerPrefix}/store_id`,
      rule: 'required',
      message: 'is required (or send store_code)',
    })
  }

  if (order.delivery_window) {
    const start = Date.parse(order.delivery_window.start)
    const end = Date.parse(order.delivery_window.end)
    if (end <= start) {
      errors.push({
        pointer: `${pointerPrefix}/delivery_window/end`,
        rule: 'after',
        message: 'must be after start',
      })
    } else if (end <= now) {
      errors.push({
        pointer: `${pointerPrefix}/delivery_window/end`,
        rule: 'future',
        message: 'must be in the future',
      })
    } else if (start - now > MAX_SCHEDULE_AHEAD_MS) {
      errors.push({
        pointer: `${pointerPrefix}/delivery_window/start`,
        rule: 'maxAhead',
        message: 'must be within 7 days',
      })
    }
  }

  if (errors.length > 0) return { ok: false, errors }
  return { ok: true, value: order, store: store! }
}
