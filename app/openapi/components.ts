import {
  orderBatchInputSchema,
  orderInputSchema,
  cancelInputSchema,
} from '#schemas/order_intake_schema'
import { meituanAdapter } from '#intake/channels/meituan_adapter'
import { elemeAdapter } from '#intake/channels/eleme_adapter'
import { ORDER_STATUSES } from '#services/order_status'

/** Strips ajv-only keywords ($id) so a request schema can sit under components. */
function component(schema: object) {
  const rest = { ...(schema as Record<string, unknown>) }
  delete rest.$id
  return rest
}

const fieldError = {
  type: 'object',
  required: ['pointer', 'rule', 'message'],
  properties: {
    pointer: {
      type: 'string',
      description: 'JSON pointer (RFC 6901) to the offending field; "" for the whole body',
    },
    rule: { type: 'string', description: 'The rule that failed (e.g. required, maximum, pattern)' },
    message: { type: 'string' },
  },
}

export const schemas = {
  OrderInput: component(orderInputSchema),
  OrderBatchInput: {
    ...component(orderBatchInputSchema),
    properties: {
      orders: {
        type: 'array',
        minItems: 1,
        maxItems: 5000,
        items: { $ref: '#/components/schemas/OrderInput' },
      },
    },
  },
  CancelInput: component(cancelInputSchema),
  MeituanOrderPush: component(meituanAdapter.schema),
  ElemeOrderPush: component(elemeAdapter.schema),
  FieldError: fieldError,
  Problem: {
    type: 'object',
    description: 'RFC 9457 problem details; every error response has this shape',
    required: ['type', 'title', 'status', 'errors'],
    properties: {
      type: { type: 'string', format: 'uri' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      instance: { type: 'string' },
      request_id: { type: 'string' },
      errors: { type: 'array', items: { $ref: '#/components/schemas/FieldError' } },
    },
  },
  Order: {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      merchant_id: { type: 'integer' },
      store_id: { type: 'integer' },
      batch_id: { type: ['integer', 'null'] },
      channel: { type: 'string' },
      external_id: { type: 'string' },
      status: { type: 'string', enum: [...ORDER_STATUSES] },
      recipient: {
        type: 'object',
        description:
          'Phone, name and address are masked (138****5678) in lists and for roles without access',
        properties: {
          name: { type: 'string' },
          phone: { type: 'string' },
          address: { type: 'string' },
          city: { type: 'string' },
          lat: { type: 'number' },
          lng: { type: 'number' },
        },
      },
      items_summary: { type: 'string' },
      item_count: { type: 'integer' },
      weight_g: { type: 'integer' },
      declared_value_fen: { type: 'integer' },
      category: { type: 'string' },
      tags: { type: 'array', items: { type: 'string' } },
      delivery_window: {
        type: ['object', 'null'],
        properties: {
          start: { type: 'string', format: 'date-time' },
          end: { type: 'string', format: 'date-time' },
        },
      },
      notes: { type: ['string', 'null'] },
      cancel_reason: { type: ['string', 'null'] },
      cancelled_at: { type: ['string', 'null'], format: 'date-time' },
      created_at: { type: 'string', format: 'date-time' },
      updated_at: { type: 'string', format: 'date-time' },
    },
  },
  BatchResult: {
    type: 'object',
    required: ['index', 'status'],
    properties: {
      index: { type: 'integer' },
      status: { type: 'string', enum: ['accepted', 'rejected'] },
      order_id: { type: 'integer' },
      external_id: { type: ['string', 'null'] },
      errors: { type: 'array', items: { $ref: '#/components/schemas/FieldError' } },
    },
  },
}

/** Reusable responses: `problem(422)` etc. */
export function problem(description: string) {
  return {
    description,
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  }
}

export function json(description: string, schema: object) {
  return { description, content: { 'application/json': { schema } } }
}

export function data(schema: object, extra: Record<string, object> = {}) {
  return { type: 'object', required: ['data'], properties: { data: schema, ...extra } }
}

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })

export const idempotencyKeyHeader = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Retry-safe POST: the same key and body replay the stored response (header Idempotency-Replayed: true); ' +
    'the same key with another body → 422; while the first request runs → 409. Kept 24 hours.',
  schema: { type: 'string', maxLength: 255 },
}

export const idParam = (name = 'id') => ({
  name,
  in: 'path',
  required: true,
  schema: { type: 'integer', minimum: 1 },
})

/** The errors every authenticated write can produce. */
export const commonWriteErrors = {
  '400': problem('Malformed JSON or a bad Idempotency-Key'),
  '401': problem('Missing, unknown or revoked credentials'),
  '409': problem('Conflict (duplicate, wrong state, or the Idempotency-Key is in flight)'),
  '413': problem('Body too large'),
  '415': problem('Body is not application/json'),
  '422': problem('Validation failed; `errors` names each field and rule'),
  '429': problem('Rate limited; see Retry-After'),
}
