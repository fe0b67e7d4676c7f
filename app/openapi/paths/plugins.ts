import type { VineValidator } from '@vinejs/vine'
import {
  commonWriteErrors,
  data,
  idempotencyKeyHeader,
  idParam,
  json,
  problem,
} from '#openapi/components'
import { CAPABILITIES } from '#sdk/manifest'
import { pluginListValidator, rollbackPluginValidator } from '#validators/admin/plugin'
import {
  carrierAccountListValidator,
  createCarrierAccountValidator,
  updateCarrierAccountValidator,
} from '#validators/admin/carrier_account'
import { WEBHOOK_MAX_BYTES } from '#services/plugins/webhook_intake_service'

/*
 * Carrier plugins, carrier accounts and carrier callbacks. Bodies and query
 * parameters come from the validators the controllers use.
 */

const userToken = [{ userToken: [] }]
const tags = ['Carriers']

type AnyValidator = VineValidator<any, any>

function body(validator: AnyValidator, notes: Record<string, string> = {}) {
  const schema = validator.toJSONSchema() as { properties?: Record<string, object> }
  for (const [field, description] of Object.entries(notes)) {
    if (schema.properties?.[field]) {
      schema.properties[field] = { ...schema.properties[field], description }
    }
  }
  return { required: true, content: { 'application/json': { schema } } }
}

function query(validator: AnyValidator) {
  const schema = validator.toJSONSchema() as { properties?: Record<string, object> }
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: false,
    schema: property,
  }))
}

const pluginIdParam = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'The plugin id from its manifest, e.g. own_fleet',
  schema: { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,63}$' },
}

const timestamp = { type: 'string', format: 'date-time' }
const nullableTimestamp = { type: ['string', 'null'], format: 'date-time' }
const localized = {
  type: 'object',
  properties: { 'zh-CN': { type: 'string' }, 'en': { type: 'string' } },
}

const breakerFailure = {
  type: ['object', 'null'],
  properties: {
    name: { type: 'string' },
    code: { type: 'string' },
    message: { type: 'string' },
    at: timestamp,
  },
}

const accountHealth = {
  type: 'object',
  properties: {
    account_id: { type: 'integer' },
    state: { type: 'string', enum: ['closed', 'open', 'half_open'] },
    healthy: { type: 'boolean' },
    consecutive_failures: { type: 'integer' },
    calls: { type: 'integer' },
    failures: { type: 'integer' },
    last_failure: breakerFailure,
    last_success_at: nullableTimestamp,
    retry_at: nullableTimestamp,
  },
}

const nodeStatus = {
  type: 'object',
  description: 'What one hub node runs, as of its last reconcile (live for the node answering)',
  properties: {
    node_id: { type: 'string' },
    this_node: { type: 'boolean', description: 'The node that answered this request' },
    loaded_version: { type: ['string', 'null'] },
    state: {
      type: 'string',
      enum: ['loading', 'ready', 'restarting', 'disabled', 'unloaded', 'failed', 'offline'],
    },
    applied_revision: { type: 'integer' },
    in_sync: {
      type: 'boolean',
      description: 'Applied the latest revision without error and still reporting',
    },
    stale: { type: 'boolean', description: 'Missed several reconcile ticks' },
    last_error: { type: ['string', 'null'] },
    last_seen_at: timestamp,
    stats: {
      type: ['object', 'null'],
      description: 'Worker counters: calls, failures, timeouts, crashes, restarts, in_flight…',
    },
    accounts: {
      type: 'array',
      description: 'Circuit breaker per carrier account that made calls on this node',
      items: accountHealth,
    },
  },
}

const pluginProperties = {
  id: { type: 'string' },
  name: localized,
  description: { ...localized, type: ['object', 'null'] },
  status: { type: 'string', enum: ['installed', 'uninstalled'] },
  version: { type: 'string', description: 'The active (or last active) version' },
  enabled: { type: 'boolean' },
  revision: { type: 'integer', description: 'Grows on every change to this plugin' },
  sha256: { type: 'string', description: 'Of the active package' },
  capabilities: { type: 'array', items: { type: 'string', enum: [...CAPABILITIES] } },
  egress: { type: 'array', items: { type: 'string' } },
  host_api: { type: 'string' },
  author: { type: ['string', 'null'] },
  installed_at: timestamp,
  updated_at: timestamp,
  uninstalled_at: nullableTimestamp,
  nodes: { type: 'array', items: nodeStatus },
}
const plugin = { type: 'object', properties: pluginProperties }
const pluginWithVersions = {
  type: 'object',
  properties: {
    ...pluginProperties,
    versions: {
      type: 'array',
      description: 'Stored packages, newest upload first (any can be rolled back to)',
      items: {
        type: 'object',
        properties: {
          version: { type: 'string' },
          sha256: { type: 'string' },
          size_bytes: { type: 'integer' },
          uploaded_by: { type: ['integer', 'null'] },
          uploaded_at: timestamp,
          active: { type: 'boolean' },
        },
      },
    },
  },
}

const configSchemaResponse = {
  type: 'object',
  properties: {
    plugin_id: { type: 'string' },
    version: { type: 'string' },
    language: { type: 'string', enum: ['zh-CN', 'en'] },
    name: { type: 'string' },
    description: { type: ['string', 'null'] },
    secret_fields: { type: 'array', items: { type: 'string' } },
    schema: {
      type: 'object',
      description:
        'The manifest configSchema (JSON Schema draft-07); `x-ui.label` and `x-ui.help` are plain strings in the chosen language; secret fields carry `x-secret` and `writeOnly`',
    },
  },
}

const carrierAccount = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    plugin_id: { type: 'string' },
    name: { type: 'string' },
    merchant_id: { type: ['integer', 'null'], description: 'Null: platform-wide account' },
    store_id: { type: ['integer', 'null'] },
    city: { type: ['string', 'null'] },
    enabled: { type: 'boolean' },
    config: { type: 'object', description: 'The non-secret settings, defaults filled in' },
    secrets: {
      type: 'object',
      description: 'One entry per secret setting of the plugin; values are never returned',
      additionalProperties: {
        type: 'object',
        properties: { set: { type: 'boolean' } },
      },
      examples: [{ apiSecret: { set: true } }],
    },
    health: {
      type: ['object', 'null'],
      description: "This node's circuit breaker for the account (null before its first call)",
    },
    last_test: {
      type: ['object', 'null'],
      properties: {
        at: timestamp,
        ok: { type: 'boolean' },
        latency_ms: { type: 'integer' },
        error: { type: ['string', 'null'] },
      },
    },
    created_at: timestamp,
    updated_at: timestamp,
  },
}

const connectionTest = {
  type: 'object',
  properties: {
    ok: { type: 'boolean' },
    latency_ms: { type: 'integer' },
    quote: { type: ['object', 'null'], description: 'The carrier’s quote for the sample order' },
    error: {
      type: ['object', 'null'],
      properties: {
        name: { type: 'string', examples: ['AuthError', 'PluginTimeoutError'] },
        code: { type: 'string' },
        message: { type: 'string' },
        carrier_message: { type: ['string', 'null'] },
      },
    },
  },
}

const unauthorized = problem('Missing, expired or revoked access token')
const forbidden = problem('Your role may not do this (admins change plugins and accounts)')
const pluginNotFound = problem('No plugin with this id')
const accountNotFound = problem('Not found, deleted, or outside your merchant')
const readErrors = { '401': unauthorized, '403': forbidden }
const writeErrors = { ...commonWriteErrors, '403': forbidden }
const pluginChange = (summary: string, extra: object = {}) => ({
  tags,
  summary,
  security: userToken,
  parameters: [pluginIdParam, idempotencyKeyHeader],
  ...extra,
  responses: {
    '200': json('The plugin after the change, with each node’s state', data(pluginWithVersions)),
    '404': pluginNotFound,
    ...writeErrors,
  },
})

export const pluginPaths = {
  '/api/v1/admin/plugins': {
    get: {
      tags,
      summary: 'Installed carrier plugins, with the version each node runs and account health',
      security: userToken,
      parameters: query(pluginListValidator),
      responses: {
        '200': json(
          'Every plugin (no pagination: a hub has a handful)',
          data({ type: 'array', items: plugin })
        ),
        ...readErrors,
        '422': problem('Invalid query parameter'),
      },
    },
    post: {
      tags,
      summary: 'Upload a plugin package: a new id installs, a newer version upgrades (blue/green)',
      description:
        'The package passes the same checks as `node ace plugin:verify` (limits, manifest, host API range, ' +
        'integrity, entry imports, a sandboxed start) before anything is stored. The same version again, ' +
        'or an older one, is a 409; use rollback to return to a stored version. This node applies the ' +
        'change before answering; the other nodes within their reconcile interval (at once with Redis).',
      security: userToken,
      requestBody: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              required: ['package'],
              properties: {
                package: {
                  type: 'string',
                  format: 'binary',
                  description: 'The .tgz from `node ace plugin:pack` (at most 5 MiB)',
                },
              },
            },
          },
        },
      },
      responses: {
        '201': json('Installed', data(pluginWithVersions)),
        '200': json('Upgraded', data(pluginWithVersions)),
        ...readErrors,
        '409': problem('This version is already active or stored with other content, or is older'),
        '422': problem('The package was rejected; `errors` lists every problem (pointer /package)'),
      },
    },
  },
  '/api/v1/admin/plugins/{id}': {
    get: {
      tags,
      summary: 'One plugin (uninstalled ones too), with its stored versions',
      security: userToken,
      parameters: [pluginIdParam],
      responses: {
        '200': json('The plugin', data(pluginWithVersions)),
        ...readErrors,
        '404': pluginNotFound,
      },
    },
    delete: {
      tags,
      summary: 'Uninstall: unloaded on every node; rows, packages and history are kept',
      security: userToken,
      parameters: [pluginIdParam],
      responses: {
        '200': json(
          'The uninstalled plugin (repeating the call changes nothing)',
          data(pluginWithVersions)
        ),
        ...readErrors,
        '404': pluginNotFound,
      },
    },
  },
  '/api/v1/admin/plugins/{id}/config-schema': {
    get: {
      tags,
      summary: 'The carrier account form of the active version, in one language',
      security: userToken,
      parameters: [
        pluginIdParam,
        {
          name: 'Accept-Language',
          in: 'header',
          required: false,
          description: 'zh-CN (default) or en; any zh-* or en-* tag matches',
          schema: { type: 'string' },
        },
      ],
      responses: {
        '200': json('The localized schema', data(configSchemaResponse)),
        ...readErrors,
        '404': pluginNotFound,
      },
    },
  },
  '/api/v1/admin/plugins/{id}/disable': {
    post: pluginChange('Disable: new calls are refused, calls in flight finish, workers stop'),
  },
  '/api/v1/admin/plugins/{id}/enable': {
    post: pluginChange('Enable a disabled plugin again'),
  },
  '/api/v1/admin/plugins/{id}/rollback': {
    post: pluginChange('Switch to another stored version (blue/green, like an upgrade)', {
      requestBody: body(rollbackPluginValidator, { version: 'A version uploaded before' }),
    }),
  },
  '/api/v1/admin/carrier-accounts': {
    get: {
      tags,
      summary: 'Carrier accounts, newest first (merchant users: their own merchant’s)',
      security: userToken,
      parameters: query(carrierAccountListValidator),
      responses: {
        '200': json(
          'A page of accounts',
          data(
            { type: 'array', items: carrierAccount },
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
        ...readErrors,
        '422': problem('Invalid query parameter'),
      },
    },
    post: {
      tags,
      summary: 'Create a carrier account (admin); config is checked against the plugin’s schema',
      description:
        'Errors in `config` point at the field, e.g. `/config/apiKey`. Secret settings (x-secret) are ' +
        'encrypted at rest and never returned.',
      security: userToken,
      parameters: [idempotencyKeyHeader],
      requestBody: body(createCarrierAccountValidator, {
        config: 'Settings as described by GET /plugins/{id}/config-schema',
        merchant_id: 'Null or absent: a platform-wide account',
      }),
      responses: { '201': json('The account', data(carrierAccount)), ...writeErrors },
    },
  },
  '/api/v1/admin/carrier-accounts/{id}': {
    get: {
      tags,
      summary: 'One carrier account (secrets only as { set })',
      security: userToken,
      parameters: [idParam()],
      responses: {
        '200': json('The account', data(carrierAccount)),
        ...readErrors,
        '404': accountNotFound,
      },
    },
    patch: {
      tags,
      summary:
        'Change an account (admin); config is merged: omitted fields (secrets too) are kept, null removes',
      security: userToken,
      parameters: [idParam(), idempotencyKeyHeader],
      requestBody: body(updateCarrierAccountValidator),
      responses: {
        '200': json('The account', data(carrierAccount)),
        '404': accountNotFound,
        ...writeErrors,
      },
    },
    delete: {
      tags,
      summary: 'Delete an account (admin); its webhook events and order history are kept',
      security: userToken,
      parameters: [idParam()],
      responses: { '204': { description: 'Deleted' }, ...readErrors, '404': accountNotFound },
    },
  },
  '/api/v1/admin/carrier-accounts/{id}/test': {
    post: {
      tags,
      summary: 'Connection test: ask the carrier for a quote on a sample order (admin)',
      security: userToken,
      parameters: [idParam(), idempotencyKeyHeader],
      responses: {
        '200': json(
          'Outcome and latency (a carrier error is a result, not a failure)',
          data(connectionTest)
        ),
        '404': accountNotFound,
        ...writeErrors,
      },
    },
  },
  '/api/v1/webhooks/{account}': {
    post: {
      tags,
      summary: 'Carrier callback for one carrier account (give this URL to the carrier)',
      description:
        'No user authentication: the carrier’s signature, checked by its plugin over the raw body, is the ' +
        `authentication. Any content type except multipart; at most ${WEBHOOK_MAX_BYTES} bytes. Events ` +
        'older than 15 minutes or more than 5 minutes in the future are refused (WEBHOOK_MAX_AGE_S, ' +
        'WEBHOOK_MAX_FUTURE_S). An event already received (same event id) is acknowledged and not stored again.',
      security: [],
      parameters: [
        {
          name: 'account',
          in: 'path',
          required: true,
          description: 'The carrier account id',
          schema: { type: 'integer', minimum: 1 },
        },
      ],
      requestBody: {
        required: true,
        content: { '*/*': { schema: { type: 'string', description: 'As the carrier sends it' } } },
      },
      responses: {
        '200': json('Acknowledged', {
          type: 'object',
          required: ['ok'],
          properties: { ok: { const: true } },
        }),
        '400': problem(
          'Not a valid callback, or an event outside the time window (nothing stored)'
        ),
        '401': problem('Signature check failed (nothing stored)'),
        '404': problem('No such carrier account, or its plugin takes no callbacks'),
        '410': problem('The account’s plugin is uninstalled'),
        '413': problem('Body too large'),
        '415': problem('Multipart bodies are not accepted'),
        '503': problem('The plugin is disabled or failing; retry later'),
      },
    },
  },
}
