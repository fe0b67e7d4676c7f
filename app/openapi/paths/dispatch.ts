import {
  commonWriteErrors,
  data,
  idempotencyKeyHeader,
  idParam,
  json,
  problem,
} from '#openapi/components'
import { exceptionListValidator, tipValidator } from '#validators/admin/order'

/*
 * Dispatch paths: batch progress for POS systems, and the console's tools for
 * working orders with their carriers.
 */

const userToken = [{ userToken: [] }]
const apiKey = [{ apiKey: [] }]

const batchProgress = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    merchant_id: { type: 'integer' },
    total: { type: 'integer', description: 'Orders accepted into the batch' },
    by_status: { type: 'object', additionalProperties: { type: 'integer' } },
    dispatched: { type: 'integer', description: 'Orders that reached a carrier' },
    failed: { type: 'integer' },
    finished: { type: 'boolean', description: 'No order is waiting for dispatch any more' },
    throughput: {
      type: 'object',
      properties: {
        orders_per_s: { type: ['number', 'null'] },
        p50_ms: { type: ['integer', 'null'], description: 'Intake to dispatched, median' },
        p99_ms: { type: ['integer', 'null'] },
      },
    },
    created_at: { type: 'string', format: 'date-time' },
  },
}

const transmitBody = {
  type: 'object',
  required: ['uid', 'channel'],
  properties: { uid: { type: 'string' }, channel: { type: 'string' } },
}

const orderResponse = json('The order', data({ $ref: '#/components/schemas/Order' }))

export const dispatchPaths = {
  '/api/v1/batches/{id}': {
    get: {
      tags: ['Orders'],
      summary: 'Progress and throughput of one of your batches',
      security: apiKey,
      parameters: [idParam()],
      responses: {
        '200': json('Batch progress', data(batchProgress)),
        '401': problem('Unauthorized'),
        '404': problem('No such batch'),
      },
    },
  },
  '/api/v1/admin/batches/{id}': {
    get: {
      tags: ['Dispatch'],
      summary: 'Batch progress (merchant users: their own batches)',
      security: userToken,
      parameters: [idParam()],
      responses: {
        '200': json('Batch progress', data(batchProgress)),
        '404': problem('No such batch'),
      },
    },
  },
  '/api/v1/admin/exceptions': {
    get: {
      tags: ['Dispatch'],
      summary: 'Orders no carrier took, with the reason, newest first',
      security: userToken,
      parameters: Object.entries(
        (exceptionListValidator.toJSONSchema() as { properties: Record<string, object> }).properties
      ).map(([name, schema]) => ({ name, in: 'query', schema })),
      responses: {
        '200': json(
          'A page of the exceptions queue',
          data({
            type: 'object',
            properties: {
              items: { type: 'array', items: { type: 'object' } },
              next_cursor: { type: ['integer', 'null'] },
            },
          })
        ),
        '401': problem('Unauthorized'),
      },
    },
  },
  '/api/v1/admin/orders/{id}/timeline': {
    get: {
      tags: ['Dispatch'],
      summary: 'Every status change, dispatch attempt and carrier event of an order',
      security: userToken,
      parameters: [idParam()],
      responses: {
        '200': json(
          'Timeline',
          data({
            type: 'object',
            properties: {
              events: { type: 'array', items: { type: 'object' } },
              attempts: { type: 'array', items: { type: 'object' } },
            },
          })
        ),
        '404': problem('No such order'),
      },
    },
  },
  '/api/v1/admin/orders/{id}/cancel-fee': {
    get: {
      tags: ['Dispatch'],
      summary: 'What cancelling now would cost (the carrier’s pre-cancel fee)',
      security: userToken,
      parameters: [idParam()],
      responses: {
        '200': json(
          'Fee preview',
          data({
            type: 'object',
            properties: {
              cancellable: { type: 'boolean' },
              fee_fen: { type: ['integer', 'null'] },
              carrier: { type: ['string', 'null'] },
            },
          })
        ),
        '404': problem('No such order'),
        '502': problem('The carrier failed to answer'),
      },
    },
  },
  '/api/v1/admin/orders/{id}/tip': {
    post: {
      tags: ['Dispatch'],
      summary: 'Add a tip to attract a rider (operators and admins)',
      security: userToken,
      parameters: [idParam(), idempotencyKeyHeader],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: tipValidator.toJSONSchema() } },
      },
      responses: {
        '200': orderResponse,
        '404': problem('No such order'),
        '502': problem('The carrier refused'),
        ...commonWriteErrors,
      },
    },
  },
  '/api/v1/admin/orders/{id}/redispatch': {
    post: {
      tags: ['Dispatch'],
      summary: 'Drop the current carrier (if any) and dispatch again, every carrier eligible',
      security: userToken,
      parameters: [idParam(), idempotencyKeyHeader],
      responses: { '202': orderResponse, '404': problem('No such order'), ...commonWriteErrors },
    },
  },
  '/__transmit/events': {
    get: {
      tags: ['Dispatch'],
      summary:
        'Live events (Server-Sent Events stream) for a client id; subscribe to channels below',
      security: [],
      parameters: [{ name: 'uid', in: 'query', required: true, schema: { type: 'string' } }],
      responses: {
        '200': { description: 'text/event-stream', content: { 'text/event-stream': {} } },
      },
    },
  },
  '/__transmit/subscribe': {
    post: {
      tags: ['Dispatch'],
      summary:
        'Subscribe a stream to `merchants/{id}/orders` (status changes) or `merchants/{id}/batches/{batchId}` (progress); merchant users only to their own',
      security: userToken,
      requestBody: { required: true, content: { 'application/json': { schema: transmitBody } } },
      responses: {
        '204': { description: 'Subscribed' },
        '400': { description: 'Not allowed or unknown client' },
        '401': problem('Unauthorized'),
      },
    },
  },
  '/__transmit/unsubscribe': {
    post: {
      tags: ['Dispatch'],
      summary: 'Stop receiving a channel',
      security: userToken,
      requestBody: { required: true, content: { 'application/json': { schema: transmitBody } } },
      responses: {
        '204': { description: 'Unsubscribed' },
        '400': { description: 'Unknown client' },
        '401': problem('Unauthorized'),
      },
    },
  },
}
