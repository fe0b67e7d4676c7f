import type { VineValidator } from '@vinejs/vine'
import {
  commonWriteErrors,
  data,
  idempotencyKeyHeader,
  idParam,
  json,
  problem,
  ref,
} from '#openapi/components'
import { USER_ROLES } from '#models/user'
import { loginValidator } from '#validators/admin/auth'
import {
  createMerchantValidator,
  merchantListValidator,
  updateMerchantValidator,
  MERCHANT_STATUSES,
  MERCHANT_TIERS,
} from '#validators/admin/merchant'
import {
  createStoreValidator,
  storeListValidator,
  updateStoreValidator,
} from '#validators/admin/store'
import { createUserValidator, updateUserValidator, userListValidator } from '#validators/admin/user'
import { apiKeyListValidator, createApiKeyValidator } from '#validators/admin/api_key'
import { cancelOrderValidator } from '#validators/admin/order'
import { auditLogListValidator } from '#validators/admin/audit_log'
import { orderListValidator } from '#validators/order_list'

/*
 * Console API paths (user access tokens). Request bodies and query parameters are
 * generated from the VineJS validators the controllers use, so the document and
 * the validation cannot drift apart.
 */

const userToken = [{ userToken: [] }]
const tags = ['Admin']

type AnyValidator = VineValidator<any, any>

/**
 * A JSON request body from a validator. `notes` describe rules JSON Schema cannot
 * say here (conditional requirements, database checks).
 */
function body(validator: AnyValidator, required = true, notes: Record<string, string> = {}) {
  const schema = validator.toJSONSchema() as { properties?: Record<string, object> }
  for (const [field, description] of Object.entries(notes)) {
    if (schema.properties?.[field]) {
      schema.properties[field] = { ...schema.properties[field], description }
    }
  }
  return { required, content: { 'application/json': { schema } } }
}

const merchantIdNote = {
  merchant_id: 'Required when role is merchant (an existing merchant); not allowed for other roles',
}

/** One query parameter per property of a query-string validator. */
function query(validator: AnyValidator) {
  const schema = validator.toJSONSchema() as { properties?: Record<string, object> }
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: false,
    schema: property,
  }))
}

const timestamp = { type: 'string', format: 'date-time' }
const nullableTimestamp = { type: ['string', 'null'], format: 'date-time' }

const merchant = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    code: { type: 'string' },
    tier: { type: 'string', enum: [...MERCHANT_TIERS] },
    status: { type: 'string', enum: [...MERCHANT_STATUSES] },
    contact_phone: { type: ['string', 'null'] },
    created_at: timestamp,
    updated_at: timestamp,
  },
}

const store = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    merchant_id: { type: 'integer' },
    code: { type: 'string' },
    name: { type: 'string' },
    address: { type: 'string' },
    city: { type: 'string' },
    lat: { type: 'number', description: 'GCJ-02' },
    lng: { type: 'number', description: 'GCJ-02' },
    contact_name: { type: 'string' },
    contact_phone: { type: 'string' },
    created_at: timestamp,
    updated_at: timestamp,
  },
}

const user = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    email: { type: 'string', format: 'email' },
    full_name: { type: ['string', 'null'] },
    role: { type: 'string', enum: [...USER_ROLES] },
    merchant_id: { type: ['integer', 'null'], description: 'Set for merchant users only' },
    last_login_at: nullableTimestamp,
    created_at: timestamp,
    updated_at: timestamp,
  },
}

const apiKeyProperties = {
  id: { type: 'integer' },
  merchant_id: { type: 'integer' },
  name: { type: 'string' },
  prefix: { type: 'string', description: 'First characters of the key, to tell keys apart' },
  created_by_user_id: { type: ['integer', 'null'] },
  created_at: timestamp,
  last_used_at: nullableTimestamp,
  revoked_at: nullableTimestamp,
}
const apiKey = { type: 'object', properties: apiKeyProperties }
const apiKeyWithSecret = {
  type: 'object',
  required: ['secret'],
  properties: {
    ...apiKeyProperties,
    secret: {
      type: 'string',
      description: 'The key itself. Shown in this response only; store it now.',
    },
  },
}

const auditLog = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    action: { type: 'string', examples: ['merchant.update'] },
    actor: {
      type: 'object',
      properties: {
        type: { type: 'string', enum: ['user', 'api_key', 'system'] },
        id: { type: ['integer', 'null'] },
        label: { type: ['string', 'null'] },
      },
    },
    merchant_id: { type: ['integer', 'null'] },
    subject: {
      type: ['object', 'null'],
      properties: { type: { type: 'string' }, id: { type: 'string' } },
    },
    changes: {
      type: ['object', 'null'],
      description: 'Changed fields as { field: { from, to } }; secrets appear only as `true`',
    },
    ip: { type: ['string', 'null'] },
    request_id: { type: ['string', 'null'] },
    created_at: timestamp,
  },
}

function page(item: object) {
  return data(
    { type: 'array', items: item },
    {
      metadata: {
        type: 'object',
        properties: {
          next_cursor: {
            type: ['string', 'null'],
            description: 'Pass as `cursor` for the next page',
          },
          limit: { type: 'integer' },
        },
      },
    }
  )
}

const unauthorized = problem('Missing, expired or revoked access token')
const forbidden = problem('Your role may not do this')
const notFound = problem('Not found, or outside your merchant')
const readErrors = {
  '401': unauthorized,
  '403': forbidden,
  '422': problem('Invalid query parameter'),
}
const oneErrors = { '401': unauthorized, '403': forbidden, '404': notFound }
const writeErrors = { ...commonWriteErrors, '403': forbidden }
const merchantIdParam = idParam('merchantId')

export const adminPaths = {
  '/api/v1/admin/auth/login': {
    post: {
      tags,
      summary:
        'Log in to the console; returns an access token (rate-limited per account and address)',
      security: [],
      requestBody: body(loginValidator),
      responses: {
        '200': json(
          'Access token and the user',
          data({
            type: 'object',
            properties: { token: { type: 'string' }, expires_at: nullableTimestamp, user },
          })
        ),
        '401': problem('Email or password is wrong (the same answer for both)'),
        '415': problem('Body is not application/json'),
        '422': problem('Validation failed'),
        '429': problem('Too many attempts; see Retry-After'),
      },
    },
  },
  '/api/v1/admin/auth/logout': {
    post: {
      tags,
      summary: 'Revoke the access token of this request',
      security: userToken,
      parameters: [idempotencyKeyHeader],
      responses: { '204': { description: 'Logged out' }, '401': unauthorized },
    },
  },
  '/api/v1/admin/me': {
    get: {
      tags,
      summary: 'The logged-in user (every role)',
      security: userToken,
      responses: { '200': json('The user', data(user)), '401': unauthorized },
    },
  },
  '/api/v1/admin/merchants': {
    get: {
      tags,
      summary: 'Merchants, newest first (merchant users: their own only)',
      security: userToken,
      parameters: query(merchantListValidator),
      responses: { '200': json('A page of merchants', page(merchant)), ...readErrors },
    },
    post: {
      tags,
      summary: 'Create a merchant (admin). API keys are created separately.',
      security: userToken,
      parameters: [idempotencyKeyHeader],
      requestBody: body(createMerchantValidator, true, {
        code: 'Unique across the hub (409 otherwise)',
      }),
      responses: { '201': json('The merchant', data(merchant)), ...writeErrors },
    },
  },
  '/api/v1/admin/merchants/{id}': {
    get: {
      tags,
      summary: 'One merchant',
      security: userToken,
      parameters: [idParam()],
      responses: { '200': json('The merchant', data(merchant)), ...oneErrors },
    },
    patch: {
      tags,
      summary: 'Rename, change tier, suspend or reactivate a merchant (admin)',
      security: userToken,
      parameters: [idParam(), idempotencyKeyHeader],
      requestBody: body(updateMerchantValidator),
      responses: { '200': json('The merchant', data(merchant)), '404': notFound, ...writeErrors },
    },
  },
  '/api/v1/admin/merchants/{merchantId}/stores': {
    get: {
      tags,
      summary: "A merchant's stores",
      security: userToken,
      parameters: [merchantIdParam, ...query(storeListValidator)],
      responses: { '200': json('A page of stores', page(store)), '404': notFound, ...readErrors },
    },
    post: {
      tags,
      summary: 'Open a store (admin, or the merchant’s own users); code unique per merchant',
      security: userToken,
      parameters: [merchantIdParam, idempotencyKeyHeader],
      requestBody: body(createStoreValidator, true, {
        code: 'Unique per merchant (409 otherwise)',
      }),
      responses: { '201': json('The store', data(store)), '404': notFound, ...writeErrors },
    },
  },
  '/api/v1/admin/stores/{id}': {
    get: {
      tags,
      summary: 'One store',
      security: userToken,
      parameters: [idParam()],
      responses: { '200': json('The store', data(store)), ...oneErrors },
    },
    patch: {
      tags,
      summary: 'Change a store (admin, or the merchant’s own users)',
      security: userToken,
      parameters: [idParam(), idempotencyKeyHeader],
      requestBody: body(updateStoreValidator),
      responses: { '200': json('The store', data(store)), '404': notFound, ...writeErrors },
    },
  },
  '/api/v1/admin/merchants/{merchantId}/api-keys': {
    get: {
      tags,
      summary: "A merchant's POS API keys, revoked ones included (never the secret)",
      security: userToken,
      parameters: [merchantIdParam, ...query(apiKeyListValidator)],
      responses: { '200': json('A page of keys', page(apiKey)), '404': notFound, ...readErrors },
    },
    post: {
      tags,
      summary: 'Create a POS API key; the secret is returned once, in this response',
      description:
        'Takes no Idempotency-Key: replaying the response would mean storing the secret. ' +
        'A retried request creates a second key; revoke the one you do not use.',
      security: userToken,
      parameters: [merchantIdParam],
      requestBody: body(createApiKeyValidator),
      responses: {
        '201': json('The key with its secret', data(apiKeyWithSecret)),
        '404': notFound,
        ...writeErrors,
      },
    },
  },
  '/api/v1/admin/api-keys/{id}/revoke': {
    post: {
      tags,
      summary: 'Revoke a POS API key (repeating it is harmless)',
      security: userToken,
      parameters: [idParam(), idempotencyKeyHeader],
      responses: { '200': json('The revoked key', data(apiKey)), '404': notFound, ...writeErrors },
    },
  },
  '/api/v1/admin/users': {
    get: {
      tags,
      summary: 'Console users (admin)',
      security: userToken,
      parameters: query(userListValidator),
      responses: { '200': json('A page of users', page(user)), ...readErrors },
    },
    post: {
      tags,
      summary:
        'Create a console user (admin); merchant_id is required for, and only for, merchant users',
      security: userToken,
      parameters: [idempotencyKeyHeader],
      requestBody: body(createUserValidator, true, merchantIdNote),
      responses: { '201': json('The user', data(user)), ...writeErrors },
    },
  },
  '/api/v1/admin/users/{id}': {
    get: {
      tags,
      summary: 'One console user (admin)',
      security: userToken,
      parameters: [idParam()],
      responses: { '200': json('The user', data(user)), ...oneErrors },
    },
    patch: {
      tags,
      summary: "Change a user's role, name or password (admin); a new password ends their sessions",
      security: userToken,
      parameters: [idParam(), idempotencyKeyHeader],
      requestBody: body(updateUserValidator, true, merchantIdNote),
      responses: {
        '200': json('The user', data(user)),
        '404': notFound,
        ...writeErrors,
        '409': problem('You cannot change your own role'),
      },
    },
    delete: {
      tags,
      summary: 'Delete a console user (admin); not yourself',
      security: userToken,
      parameters: [idParam()],
      responses: {
        '204': { description: 'Deleted' },
        ...oneErrors,
        '409': problem('You cannot delete your own account'),
      },
    },
  },
  '/api/v1/admin/orders': {
    get: {
      tags,
      summary: 'Orders, newest first, recipient masked (merchant users: their own only)',
      security: userToken,
      parameters: query(orderListValidator),
      responses: { '200': json('A page of orders', page(ref('Order'))), ...readErrors },
    },
  },
  '/api/v1/admin/orders/{id}': {
    get: {
      tags,
      summary:
        'One order; the recipient is in full for admins and operators, masked for merchant users',
      security: userToken,
      parameters: [idParam()],
      responses: { '200': json('The order', data(ref('Order'))), ...oneErrors },
    },
  },
  '/api/v1/admin/orders/{id}/cancel': {
    post: {
      tags,
      summary: 'Cancel an order no rider has picked up (admins, operators, the merchant’s users)',
      security: userToken,
      parameters: [idParam(), idempotencyKeyHeader],
      requestBody: body(cancelOrderValidator, false),
      responses: {
        '200': json('The cancelled order', data(ref('Order'))),
        '404': notFound,
        ...writeErrors,
      },
    },
  },
  '/api/v1/admin/audit-logs': {
    get: {
      tags,
      summary: 'Who changed what, newest first (admin)',
      security: userToken,
      parameters: query(auditLogListValidator),
      responses: { '200': json('A page of audit entries', page(auditLog)), ...readErrors },
    },
  },
}
