import vine from '@vinejs/vine'
import { ORDER_STATUSES } from '#services/order_status'

/** ISO 8601 date or date-time (`2026-11-22` or `2026-11-22T08:00:00+08:00`). */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/
const isoTimestamp = () => vine.string().regex(ISO_8601)

/** Query string of GET /orders (staff and merchant variants share it). */
export const orderListValidator = vine.compile(
  vine.object({
    status: vine.enum(ORDER_STATUSES).optional(),
    store_id: vine.number().withoutDecimals().positive().optional(),
    channel: vine
      .string()
      .regex(/^[a-z][a-z0-9_]{1,31}$/)
      .optional(),
    batch_id: vine.number().withoutDecimals().positive().optional(),
    created_from: isoTimestamp().optional(),
    created_to: isoTimestamp().optional(),
    cursor: vine.string().maxLength(64).optional(),
    limit: vine.number().withoutDecimals().range([1, 200]).optional(),
    merchant_id: vine.number().withoutDecimals().positive().optional(),
  })
)
