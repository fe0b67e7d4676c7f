import {
  commonWriteErrors,
  data,
  idempotencyKeyHeader,
  idParam,
  json,
  problem,
  ref,
} from '#openapi/components'
import { ORDER_STATUSES } from '#services/order_status'

const apiKey = [{ apiKey: [] }]
const orderResponse = json('The order', data(ref('Order')))

/** POS intake paths (API key auth). Keys are OpenAPI paths; `{id}` for `:id`. */
export const intakePaths = {
  '/health': {
    get: {
      tags: ['System'],
      summary: 'Health: 200 when the database answers, 503 otherwise',
      security: [],
      responses: {
        '200': json('Healthy', { type: 'object' }),
        '503': json('Degraded', { type: 'object' }),
      },
    },
  },
  '/api/v1/openapi.json': {
    get: {
      tags: ['System'],
      summary: 'This document',
      security: [],
      responses: { '200': json('OpenAPI 3.1 document', { type: 'object' }) },
    },
  },
  '/api/v1/orders': {
    post: {
      tags: ['Orders'],
      summary: 'Create one order',
      security: apiKey,
      parameters: [idempotencyKeyHeader],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: ref('OrderInput') } },
      },
      responses: { '201': orderResponse, ...commonWriteErrors },
    },
    get: {
      tags: ['Orders'],
      summary: "List the merchant's orders, newest first (recipient masked)",
      security: apiKey,
      parameters: [
        { name: 'status', in: 'query', schema: { type: 'string', enum: [...ORDER_STATUSES] } },
        { name: 'store_id', in: 'query', schema: { type: 'integer' } },
        { name: 'channel', in: 'query', schema: { type: 'string' } },
        { name: 'batch_id', in: 'query', schema: { type: 'integer' } },
        { name: 'created_from', in: 'query', schema: { type: 'string', format: 'date-time' } },
        { name: 'created_to', in: 'query', schema: { type: 'string', format: 'date-time' } },
        {
          name: 'cursor',
          in: 'query',
          schema: { type: 'string' },
          description: 'metadata.next_cursor of the previous page',
        },
        {
          name: 'limit',
          in: 'query',
          schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
        },
      ],
      responses: {
        '200': json(
          'A page of orders',
          data(
            { type: 'array', items: ref('Order') },
            {
              metadata: {
                type: 'object',
                properties: {
                  next_cursor: { type: ['string', 'null'] },
                  limit: { type: 'integer' },
                },
              },
            }
          )
        ),
        '401': problem('Unauthorized'),
        '422': problem('Invalid filter'),
      },
    },
  },
  '/api/v1/orders/batch': {
    post: {
      tags: ['Orders'],
      summary: 'Create up to 5,000 orders; one result per input, valid orders kept',
      security: apiKey,
      parameters: [idempotencyKeyHeader],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: ref('OrderBatchInput') } },
      },
      responses: {
        '201': json(
          'The batch and one result per input, in input order',
          data({
            type: 'object',
            properties: {
              batch: {
                type: 'object',
                properties: {
                  id: { type: 'integer' },
                  status: { type: 'string' },
                  total: { type: 'integer' },
                  accepted: { type: 'integer' },
                  rejected: { type: 'integer' },
                  created_at: { type: 'string', format: 'date-time' },
                },
              },
              results: { type: 'array', items: ref('BatchResult') },
            },
          })
        ),
        ...commonWriteErrors,
      },
    },
  },
  '/api/v1/orders/{id}': {
    get: {
      tags: ['Orders'],
      summary: 'One order (recipient in full for its own merchant)',
      security: apiKey,
      parameters: [idParam()],
      responses: {
        '200': orderResponse,
        '401': problem('Unauthorized'),
        '404': problem('No such order for this merchant'),
      },
    },
  },
  '/api/v1/orders/{id}/cancel': {
    post: {
      tags: ['Orders'],
      summary: 'Cancel an order that no rider has picked up yet',
      security: apiKey,
      parameters: [idParam(), idempotencyKeyHeader],
      requestBody: {
        required: false,
        content: { 'application/json': { schema: ref('CancelInput') } },
      },
      responses: { '200': orderResponse, '404': problem('No such order'), ...commonWriteErrors },
    },
  },
  '/api/v1/channels/{channel}/orders': {
    post: {
      tags: ['Orders'],
      summary: "Create an order from a platform's own push shape (meituan, eleme)",
      security: apiKey,
      parameters: [
        {
          name: 'channel',
          in: 'path',
          required: true,
          schema: { type: 'string', enum: ['meituan', 'eleme'] },
        },
        idempotencyKeyHeader,
      ],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: { oneOf: [ref('MeituanOrderPush'), ref('ElemeOrderPush')] },
          },
        },
      },
      responses: { '201': orderResponse, '404': problem('Unknown channel'), ...commonWriteErrors },
    },
  },
}
