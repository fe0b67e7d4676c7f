import type { VineValidator } from '@vinejs/vine'
import {
  commonWriteErrors,
  data,
  idempotencyKeyHeader,
  idParam,
  json,
  problem,
} from '#openapi/components'
import {
  createRulesetValidator,
  publishRulesetValidator,
  rollbackRulesetValidator,
  rulesetDiffValidator,
  rulesetListValidator,
  rulesetVersionListValidator,
} from '#validators/admin/ruleset'
import { backtestBodySchema, dryRunBodySchema } from '#validators/admin/ruleset_simulation'

/*
 * The dispatch rules API (console access tokens). Request bodies come from the
 * validators the controllers use: VineJS for the small ones, and for dry runs and
 * backtests the JSON Schemas built from the rule fact catalog.
 */

const security = [{ userToken: [] }]
const tags = ['Rules']

type AnyValidator = VineValidator<any, any>

function body(validator: AnyValidator, required = true) {
  return { required, content: { 'application/json': { schema: validator.toJSONSchema() } } }
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

function page(item: object) {
  return data(
    { type: 'array', items: item },
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
}

const timestamp = { type: 'string', format: 'date-time' }
const nullableTimestamp = { type: ['string', 'null'], format: 'date-time' }
const anyObject = { type: 'object', additionalProperties: true }

const ruleError = {
  type: 'object',
  required: ['pointer', 'rule', 'message'],
  properties: {
    pointer: { type: 'string', description: 'JSON pointer into the ruleset document' },
    rule: {
      type: 'string',
      description:
        'json, schema, priority, unknown-fact, unknown-operator, event-phase, … (docs/rules.md)',
    },
    message: { type: 'string' },
  },
}

const rulesetDocument = {
  type: 'object',
  description:
    'A ruleset document: { name, description?, orderRules[], candidateRules[] } of json-rules-engine rules. ' +
    'Its JSON Schema is rules/schema/ruleset.schema.json (also `documentSchema` in GET /rulesets/catalog); docs/rules.md explains it.',
  required: ['name', 'orderRules', 'candidateRules'],
  properties: {
    name: { type: 'string' },
    description: { type: 'string' },
    orderRules: { type: 'array', items: anyObject },
    candidateRules: { type: 'array', items: anyObject },
  },
}

/** The body of PUT /draft and POST /validate: the document as JSON, or the editor's text. */
function documentBody(required: boolean) {
  return {
    required,
    content: {
      'application/json': { schema: rulesetDocument },
      'text/plain': {
        schema: {
          type: 'string',
          description: 'The document as JSON text; a syntax error is reported as rule `json`',
        },
      },
    },
  }
}

const activeVersion = {
  type: ['object', 'null'],
  properties: {
    id: { type: 'integer' },
    version: { type: 'integer' },
    content_hash: { type: 'string' },
    published_at: timestamp,
    published_by: { type: 'string' },
  },
}

const rulesetProperties = {
  id: { type: 'integer' },
  scope: { type: 'string', enum: ['global', 'merchant'] },
  scope_key: { type: 'string', examples: ['global', 'merchant:12'] },
  merchant_id: { type: ['integer', 'null'] },
  name: { type: 'string' },
  active_version: activeVersion,
  created_at: timestamp,
  updated_at: timestamp,
}

const ruleset = {
  type: 'object',
  properties: {
    ...rulesetProperties,
    draft: {
      type: 'object',
      properties: {
        content_hash: { type: 'string' },
        differs_from_active: { type: 'boolean' },
        updated_at: nullableTimestamp,
        updated_by: { type: ['integer', 'null'] },
      },
    },
  },
}

const rulesetDetail = {
  type: 'object',
  properties: {
    ...rulesetProperties,
    draft: {
      type: 'object',
      properties: {
        content_hash: { type: 'string' },
        differs_from_active: { type: 'boolean' },
        updated_at: nullableTimestamp,
        updated_by: { type: ['integer', 'null'] },
        valid: { type: 'boolean', description: 'Whether publishing would accept the draft' },
        errors: { type: 'array', items: ruleError },
        document: { ...anyObject, description: 'The draft as saved (may be invalid)' },
      },
    },
  },
}

const versionProperties = {
  id: { type: 'integer' },
  ruleset_id: { type: 'integer' },
  version: { type: 'integer' },
  content_hash: { type: 'string' },
  active: { type: 'boolean' },
  published_by: {
    type: 'object',
    properties: { id: { type: ['integer', 'null'] }, label: { type: 'string' } },
  },
  published_at: timestamp,
  note: { type: ['string', 'null'] },
}
const version = { type: 'object', properties: versionProperties }
const versionDetail = {
  type: 'object',
  properties: { ...versionProperties, document: rulesetDocument },
}

const ruleChange = {
  type: 'object',
  properties: {
    phase: { type: 'string', enum: ['order', 'candidate'] },
    rule: { type: 'string' },
  },
}
const diff = {
  type: 'object',
  properties: {
    nameChanged: { type: 'boolean' },
    descriptionChanged: { type: 'boolean' },
    added: { type: 'array', items: ruleChange },
    removed: { type: 'array', items: ruleChange },
    changed: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          ...ruleChange.properties,
          parts: {
            type: 'array',
            items: { type: 'string', enum: ['priority', 'conditions', 'event', 'phase'] },
          },
        },
      },
    },
    reordered: { type: 'boolean' },
    unchanged: { type: 'integer' },
  },
}
const versionRefOut = {
  type: 'object',
  properties: {
    version: { oneOf: [{ type: 'integer' }, { type: 'string', enum: ['draft'] }] },
    version_key: { type: 'string' },
  },
}

const dryRunResult = {
  type: 'object',
  properties: {
    ruleset_id: { type: 'integer' },
    version: { oneOf: [{ type: 'integer' }, { type: 'string', enum: ['draft'] }] },
    version_key: { type: 'string', examples: ['global@v3', 'merchant:12@draft'] },
    order_source: { type: 'string', enum: ['stored', 'inline'] },
    order_id: { type: ['integer', 'null'] },
    facts: { ...anyObject, description: 'The facts the rules saw, masked like a decision record' },
    fact_sources: {
      type: 'object',
      description:
        'Where weather and time came from: request, decision_record, default, inline, now, order_created_at',
      additionalProperties: { type: 'string' },
    },
    assumptions: {
      type: 'array',
      items: { type: 'string' },
      description:
        'Defaults the dry run used (e.g. clear weather for a stored order with no recorded weather)',
    },
    decision: {
      ...anyObject,
      description:
        'The decision production would record: strategy, tipFen, acceptTimeoutS, orderEvents, candidates (baseScore, adjustments, score, rank or excluded {by, reason}), winner',
    },
    explanation: {
      type: 'object',
      properties: {
        summary: { type: 'array', items: { type: 'string' } },
        order_rules: {
          type: 'array',
          items: anyObject,
          description: 'Condition trace of every order rule',
        },
        candidates: {
          type: 'array',
          items: anyObject,
          description:
            'Per quote: rank, score, excluded {by, reason}, rulesApplied, rule traces, summary',
        },
      },
    },
    evaluators_agree: {
      type: 'boolean',
      description:
        'The compiled evaluator and json-rules-engine decided the same (false = report a bug)',
    },
  },
}

const chosen = {
  type: ['object', 'null'],
  properties: {
    carrier: { type: 'string' },
    account_id: { type: 'string' },
    fee_fen: { type: 'integer' },
    tip_fen: { type: 'integer' },
    eta_s: { type: 'integer' },
  },
}
const share = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    properties: { wins: { type: 'integer' }, share: { type: 'number' } },
  },
}
const backtestResult = {
  type: 'object',
  properties: {
    ruleset_id: { type: ['integer', 'null'] },
    version: { type: ['integer', 'string'] },
    version_key: { type: 'string' },
    baseline: {
      type: 'object',
      description: '`recorded` (the carriers actually chosen) or a replayed `version`',
      properties: {
        kind: { type: 'string', enum: ['recorded', 'version'] },
        version: { type: ['integer', 'string'] },
        version_key: { type: 'string' },
      },
    },
    period: { type: 'object', properties: { from: timestamp, to: timestamp } },
    merchant_id: { type: ['integer', 'null'] },
    excluded_merchant_ids: {
      type: 'array',
      items: { type: 'integer' },
      description:
        'Merchants left out of a global backtest because their own override governs them',
    },
    records: { type: 'integer' },
    compared: { type: 'integer' },
    changed: { type: 'integer' },
    unchanged: { type: 'integer' },
    errors: { type: 'integer' },
    error_samples: { type: 'array', items: anyObject },
    no_winner_before: { type: 'integer' },
    no_winner_after: { type: 'integer' },
    cost: {
      type: 'object',
      description: 'Fen, over decisions where both sides chose a carrier; total = fee + tip',
      properties: Object.fromEntries(
        [
          'orders',
          'fee_fen_before',
          'fee_fen_after',
          'tip_fen_before',
          'tip_fen_after',
          'total_fen_before',
          'total_fen_after',
          'delta_fen',
          'average_delta_fen',
        ].map((key) => [key, { type: 'number' }])
      ),
    },
    eta: {
      type: 'object',
      description: 'Seconds (pickup + dropoff ETA of the chosen quotes), same decisions as cost',
      properties: Object.fromEntries(
        ['orders', 'eta_s_before', 'eta_s_after', 'delta_s', 'average_delta_s'].map((key) => [
          key,
          { type: 'number' },
        ])
      ),
    },
    carrier_share: { type: 'object', properties: { before: share, after: share } },
    changes: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          decision_id: { type: 'integer' },
          order_id: { type: 'integer' },
          merchant_id: { type: 'integer' },
          decided_at: nullableTimestamp,
          before: chosen,
          after: chosen,
        },
      },
    },
    elapsed_ms: { type: 'number' },
  },
}

const backtestJob = {
  type: 'object',
  properties: {
    job_id: { type: 'string', format: 'uuid' },
    status: { type: 'string', enum: ['running', 'succeeded', 'failed'] },
    ruleset_id: { type: ['integer', 'null'] },
    progress: {
      type: 'object',
      properties: {
        processed: { type: 'integer' },
        total: { type: 'integer' },
        percent: { type: 'integer' },
      },
    },
    result: { oneOf: [{ type: 'null' }, backtestResult] },
    error: { type: ['string', 'null'] },
    created_at: timestamp,
    finished_at: nullableTimestamp,
  },
}

const unauthorized = problem('Missing, expired or revoked access token')
const forbidden = problem('Your role may not do this')
const notFound = problem('No such ruleset, or not yours')
const invalidDocument = problem(
  'Invalid ruleset: `errors[]` point into the document (`/orderRules/0/conditions/all/0/fact`)'
)
const readErrors = {
  '401': unauthorized,
  '403': forbidden,
  '422': problem('Invalid query parameter'),
}
const oneErrors = { '401': unauthorized, '403': forbidden, '404': notFound }
const writeErrors = { ...commonWriteErrors, '403': forbidden, '404': notFound }
const rulesetId = idParam()

export const rulesetPaths = {
  '/api/v1/admin/rulesets': {
    get: {
      tags,
      summary:
        'The global ruleset and merchant overrides, newest first (merchant users: their own override only)',
      security,
      parameters: query(rulesetListValidator),
      responses: { '200': json('A page of rulesets', page(ruleset)), ...readErrors },
    },
    post: {
      tags,
      summary: 'Create a merchant override (admin)',
      description:
        'The override replaces the global ruleset for that merchant once its first version is published. ' +
        'Without `document` the draft starts as a copy of the active global rules; an invalid document is saved ' +
        'and reported in `draft.errors`.',
      security,
      parameters: [idempotencyKeyHeader],
      requestBody: body(createRulesetValidator),
      responses: {
        '201': json('The override', data(rulesetDetail)),
        ...writeErrors,
        '409': problem('The merchant already has an override'),
      },
    },
  },
  '/api/v1/admin/rulesets/catalog': {
    get: {
      tags,
      summary:
        "The rule builder's catalog: facts and their shapes, operators, event types, strategies",
      security,
      responses: {
        '200': json('The catalog', data(anyObject)),
        '401': unauthorized,
        '403': forbidden,
      },
    },
  },
  '/api/v1/admin/rulesets/{id}': {
    get: {
      tags,
      summary: 'One ruleset with its draft document and the draft’s validation',
      security,
      parameters: [rulesetId],
      responses: { '200': json('The ruleset', data(rulesetDetail)), ...oneErrors },
    },
  },
  '/api/v1/admin/rulesets/{id}/draft': {
    put: {
      tags,
      summary:
        'Save the draft (admin): any JSON object is saved; validation is reported, not enforced',
      description:
        'Work in progress is kept even when it does not validate yet: the answer’s `draft.valid` and ' +
        '`draft.errors` say what publishing would refuse. Send application/json, or text/plain with the editor’s ' +
        'text (a syntax error is then a 422 with rule `json`; nothing is saved). At most 1 MB.',
      security,
      parameters: [rulesetId],
      requestBody: documentBody(true),
      responses: {
        '200': json('The ruleset with the saved draft', data(rulesetDetail)),
        ...writeErrors,
        '422': problem('Not a JSON object (or text that is not JSON)'),
      },
    },
  },
  '/api/v1/admin/rulesets/{id}/validate': {
    post: {
      tags,
      summary: 'Validate a document (the body) or, with no body, the stored draft',
      security,
      parameters: [rulesetId],
      requestBody: documentBody(false),
      responses: {
        '200': json(
          'Valid',
          data({
            type: 'object',
            properties: {
              valid: { type: 'boolean', const: true },
              source: { type: 'string', enum: ['draft', 'body'] },
              rules: {
                type: 'object',
                properties: { order: { type: 'integer' }, candidate: { type: 'integer' } },
              },
              diff_from_active: { oneOf: [{ type: 'null' }, diff] },
            },
          })
        ),
        ...oneErrors,
        '400': problem('Malformed JSON body'),
        '413': problem('Document larger than 1 MB'),
        '415': problem('Not application/json or text/plain'),
        '422': invalidDocument,
      },
    },
  },
  '/api/v1/admin/rulesets/{id}/publish': {
    post: {
      tags,
      summary: 'Publish the draft as the next immutable version and make it active (admin)',
      security,
      parameters: [rulesetId, idempotencyKeyHeader],
      requestBody: body(publishRulesetValidator, false),
      responses: {
        '201': json(
          'The new version',
          data({
            type: 'object',
            properties: {
              ruleset,
              version: versionDetail,
              diff_from_previous: { oneOf: [{ type: 'null' }, diff] },
            },
          })
        ),
        ...writeErrors,
        '422': invalidDocument,
      },
    },
  },
  '/api/v1/admin/rulesets/{id}/rollback': {
    post: {
      tags,
      summary: 'Make an earlier (or later) version active again (admin); the draft is kept',
      security,
      parameters: [rulesetId, idempotencyKeyHeader],
      requestBody: body(rollbackRulesetValidator),
      responses: {
        '200': json(
          'The ruleset and its active version',
          data({ type: 'object', properties: { ruleset, version } })
        ),
        ...writeErrors,
        '409': problem('That version is already active'),
        '422': problem('No such version (`/version`)'),
      },
    },
  },
  '/api/v1/admin/rulesets/{id}/diff': {
    get: {
      tags,
      summary: 'Rules added, removed and changed between two versions (default: active → draft)',
      security,
      parameters: [rulesetId, ...query(rulesetDiffValidator)],
      responses: {
        '200': json(
          'The diff',
          data({ type: 'object', properties: { from: versionRefOut, to: versionRefOut, diff } })
        ),
        ...oneErrors,
        '422': problem('Unknown version, or an invalid draft (errors point into it)'),
      },
    },
  },
  '/api/v1/admin/rulesets/{id}/versions': {
    get: {
      tags,
      summary: 'Published versions, newest first (without documents)',
      security,
      parameters: [rulesetId, ...query(rulesetVersionListValidator)],
      responses: { '200': json('A page of versions', page(version)), ...oneErrors },
    },
  },
  '/api/v1/admin/rulesets/{id}/versions/{version}': {
    get: {
      tags,
      summary: 'One published version with its document',
      security,
      parameters: [rulesetId, idParam('version')],
      responses: { '200': json('The version', data(versionDetail)), ...oneErrors },
    },
  },
  '/api/v1/admin/rulesets/{id}/dry-run': {
    post: {
      tags,
      summary:
        'Decide one order with a version or the draft and explain every rule per candidate (stores nothing)',
      description:
        'Admins, operators, and merchant users on their own override. `quotes: "live"` needs the dispatch ' +
        "pipeline's quote provider; until it is registered the answer is a 422 naming `/quotes`.",
      security,
      parameters: [rulesetId],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: dryRunBodySchema } },
      },
      responses: {
        '200': json('The decision and its explanation', data(dryRunResult)),
        ...oneErrors,
        '400': problem('Malformed JSON'),
        '413': problem('Body too large'),
        '415': problem('Body is not application/json'),
        '422': problem('Invalid request, unknown order or version, or an invalid draft'),
      },
    },
  },
  '/api/v1/admin/rulesets/{id}/backtest': {
    post: {
      tags,
      summary: 'Replay a version or the draft over the decisions of a period (admins, operators)',
      description:
        `Up to 5,000 decisions are replayed at once (200). Longer periods, or \`async: true\`, start a job (202, ` +
        '`Location` names it) to poll at GET /rulesets/backtests/{jobId}.',
      security,
      parameters: [rulesetId],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: backtestBodySchema } },
      },
      responses: {
        '200': json('The backtest result', data(backtestResult)),
        '202': json('A backtest job', data(backtestJob)),
        ...oneErrors,
        '400': problem('Malformed JSON'),
        '415': problem('Body is not application/json'),
        '422': problem('Invalid request, unknown version, or an invalid draft'),
        '429': problem('Too many backtests running; see Retry-After'),
      },
    },
  },
  '/api/v1/admin/rulesets/backtests/{jobId}': {
    get: {
      tags,
      summary:
        'A backtest job: progress while it runs, the result when done (its owner, or admins)',
      security,
      parameters: [
        { name: 'jobId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
      ],
      responses: {
        '200': json('The job', data(backtestJob)),
        '401': unauthorized,
        '403': forbidden,
        '404': problem('No such job (finished jobs are kept for an hour)'),
      },
    },
  },
}
