import { DateTime } from 'luxon'
import ProblemException, { type FieldError } from '#exceptions/problem'
import type {
  MerchantFact,
  OrderFact,
  QuoteInput,
  StoreFact,
  TimeFact,
  WeatherFact,
} from '#dispatch/types'
import { findFact } from '#dispatch/rules/fact_catalog'
import type { Shape } from '#dispatch/rules/shape'
import { compileSchema } from '#schemas/json_validator'

/*
 * Bodies of the dry-run and backtest endpoints. Facts and quotes are checked
 * against the fact catalog's own shapes (the JSON Schemas the rule validator and
 * the console's rule builder use), so "what a rule can read" and "what a dry run
 * accepts" cannot drift apart. The unions (`order`: id or facts, `quotes`: list or
 * "live", `version`: number or word) are resolved step by step, so an error names
 * the one field that is wrong instead of every branch of a oneOf.
 */

/** The catalog shapes carry `x-unit`-style annotations that strict ajv rejects. */
function plainSchema(shape: Shape): Record<string, unknown> {
  const copy: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(shape)) {
    if (key.startsWith('x-')) continue
    if (key === 'items') copy.items = plainSchema(value as Shape)
    else if (key === 'properties') {
      copy.properties = Object.fromEntries(
        Object.entries(value as Record<string, Shape>).map(([name, child]) => [
          name,
          plainSchema(child),
        ])
      )
    } else copy[key] = value
  }
  return copy
}

const factSchema = (name: string) => plainSchema(findFact(name)!.shape)

export const inlineFactsSchema = {
  type: 'object',
  description:
    'Facts of an order that is not stored. `weather` defaults to a clear day and `time` to now (China Standard Time).',
  required: ['order', 'merchant', 'store'],
  additionalProperties: false,
  properties: {
    order: factSchema('order'),
    merchant: factSchema('merchant'),
    store: factSchema('store'),
    weather: factSchema('weather'),
    time: factSchema('time'),
  },
}

export const quoteInputSchema = {
  type: 'object',
  description: "A carrier's quote and that carrier's recent statistics",
  required: ['quote', 'carrier'],
  additionalProperties: false,
  properties: { quote: factSchema('quote'), carrier: factSchema('carrier') },
}

export const weatherSchema = factSchema('weather')

export const MAX_DRY_RUN_QUOTES = 50
export const MAX_BACKTEST_CHANGES = 500
export const DEFAULT_BACKTEST_CHANGES = 50

const versionRefSchema = (description: string) => ({
  description,
  oneOf: [
    { type: 'integer', minimum: 1 },
    { type: 'string', enum: ['draft', 'active'] },
  ],
})

/** Documentation of the dry-run body (validated piecewise below with the same parts). */
export const dryRunBodySchema = {
  type: 'object',
  required: ['order', 'quotes'],
  additionalProperties: false,
  properties: {
    version: versionRefSchema(
      'Which document to run: a version number, "active" or "draft" (default)'
    ),
    order: {
      description: 'A stored order id, or the facts of an order that is not stored',
      oneOf: [{ type: 'integer', minimum: 1 }, inlineFactsSchema],
    },
    quotes: {
      description:
        'The quotes to choose from, or "live" to ask the carriers (only once the dispatch pipeline registers a quote provider)',
      oneOf: [
        { type: 'array', minItems: 1, maxItems: MAX_DRY_RUN_QUOTES, items: quoteInputSchema },
        { type: 'string', enum: ['live'] },
      ],
    },
    weather: {
      ...weatherSchema,
      description: 'Overrides the weather of the order (any kind of `order`)',
    },
  },
}

export const backtestBodySchema = {
  type: 'object',
  required: ['from', 'to'],
  additionalProperties: false,
  properties: {
    version: versionRefSchema('The proposal: a version number, "active" or "draft" (default)'),
    from: {
      type: 'string',
      description:
        'Start of the period (inclusive): a date (2025-03-01, China Standard Time) or an ISO date-time with offset',
    },
    to: {
      type: 'string',
      description: 'End of the period: a date includes that whole day; a date-time is exclusive',
    },
    merchant_id: {
      type: 'integer',
      minimum: 1,
      description:
        "Only this merchant's decisions. Default: the override's merchant, or for the global ruleset every merchant without a published override",
    },
    baseline: {
      type: 'integer',
      minimum: 1,
      description:
        'Compare with this version replayed on the same facts; default: the carriers actually chosen',
    },
    max_changes: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_BACKTEST_CHANGES,
      description: `How many changed decisions to list (default ${DEFAULT_BACKTEST_CHANGES})`,
    },
    async: {
      type: 'boolean',
      description: 'Run as a background job even when the period is small',
    },
  },
}

export interface InlineFacts {
  order: OrderFact
  merchant: MerchantFact
  store: StoreFact
  weather?: WeatherFact
  time?: TimeFact
}

export interface DryRunRequest {
  version: number | 'draft' | 'active'
  order: number | InlineFacts
  quotes: QuoteInput[] | 'live'
  weather?: WeatherFact
}

export interface BacktestRequest {
  version: number | 'draft' | 'active'
  from: DateTime
  to: DateTime
  merchantId?: number
  baseline?: number
  maxChanges: number
  async: boolean
}

const checkInlineFacts = compileSchema<InlineFacts>(inlineFactsSchema)
const checkQuotes = compileSchema<QuoteInput[]>({
  type: 'array',
  minItems: 1,
  maxItems: MAX_DRY_RUN_QUOTES,
  items: quoteInputSchema,
})
const checkWeather = compileSchema<WeatherFact>(weatherSchema)

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

const prefixed = (prefix: string, errors: FieldError[]) =>
  errors.map((error) => ({ ...error, pointer: `${prefix}${error.pointer}` }))

function unknownFields(body: Record<string, unknown>, known: string[], errors: FieldError[]) {
  for (const key of Object.keys(body)) {
    if (!known.includes(key)) {
      errors.push({
        pointer: `/${key}`,
        rule: 'additionalProperties',
        message: 'is not a known field',
      })
    }
  }
}

function versionRef(
  value: unknown,
  pointer: string,
  errors: FieldError[]
): number | 'draft' | 'active' | undefined {
  if (value === undefined) return undefined
  if (value === 'draft' || value === 'active') return value
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return value
  errors.push({
    pointer,
    rule: 'versionRef',
    message: 'must be a version number (1, 2, …), "active" or "draft"',
  })
  return undefined
}

function positiveInteger(value: unknown, pointer: string, errors: FieldError[], max?: number) {
  if (value === undefined) return undefined
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && (!max || value <= max))
    return value
  errors.push({
    pointer,
    rule: 'integer',
    message: max ? `must be an integer from 1 to ${max}` : 'must be a positive integer',
  })
  return undefined
}

function bodyObject(body: unknown): Record<string, unknown> {
  if (isPlainObject(body)) return body
  throw ProblemException.invalid([
    { pointer: '', rule: 'object', message: 'must be a JSON object' },
  ])
}

export function validateDryRunBody(raw: unknown): DryRunRequest {
  const body = bodyObject(raw)
  const errors: FieldError[] = []
  unknownFields(body, ['version', 'order', 'quotes', 'weather'], errors)
  const version = versionRef(body.version, '/version', errors) ?? 'draft'

  let order: DryRunRequest['order'] | undefined
  if (body.order === undefined) {
    errors.push({ pointer: '/order', rule: 'required', message: 'is required' })
  } else if (typeof body.order === 'number') {
    order = positiveInteger(body.order, '/order', errors)
  } else if (isPlainObject(body.order)) {
    const checked = checkInlineFacts(body.order)
    if (checked.ok) order = checked.value
    else errors.push(...prefixed('/order', checked.errors))
  } else {
    errors.push({
      pointer: '/order',
      rule: 'type',
      message: 'must be a stored order id or an object of order facts',
    })
  }

  let quotes: DryRunRequest['quotes'] | undefined
  if (body.quotes === undefined) {
    errors.push({ pointer: '/quotes', rule: 'required', message: 'is required' })
  } else if (body.quotes === 'live') {
    quotes = 'live'
  } else if (Array.isArray(body.quotes)) {
    const checked = checkQuotes(body.quotes)
    if (checked.ok) quotes = checked.value
    else errors.push(...prefixed('/quotes', checked.errors))
  } else {
    errors.push({
      pointer: '/quotes',
      rule: 'type',
      message: 'must be a list of { quote, carrier } objects, or "live"',
    })
  }

  let weather: WeatherFact | undefined
  if (body.weather !== undefined) {
    const checked = checkWeather(body.weather)
    if (checked.ok) weather = checked.value
    else errors.push(...prefixed('/weather', checked.errors))
  }

  if (errors.length > 0) throw ProblemException.invalid(errors, 'The dry run request is invalid')
  return { version, order: order!, quotes: quotes!, weather }
}

/** Dates are China Standard Time, like the `time` fact; date-times carry their own offset. */
const CHINA_ZONE = 'UTC+8'
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/

function periodBound(value: unknown, pointer: string, end: boolean, errors: FieldError[]) {
  if (value === undefined) {
    errors.push({ pointer, rule: 'required', message: 'is required' })
    return undefined
  }
  if (typeof value !== 'string' || value.length > 40) {
    errors.push({
      pointer,
      rule: 'date',
      message: 'must be a date (YYYY-MM-DD) or an ISO date-time',
    })
    return undefined
  }
  let parsed: DateTime
  try {
    // The app runs luxon with throwOnInvalid; isValid covers the other setting.
    parsed = DateTime.fromISO(value, { zone: CHINA_ZONE })
    if (!parsed.isValid) throw new Error(parsed.invalidExplanation ?? 'invalid')
  } catch {
    errors.push({
      pointer,
      rule: 'date',
      message: `"${value}" is not a date (YYYY-MM-DD) or an ISO date-time`,
    })
    return undefined
  }
  // `to: 2025-03-31` means "up to and including the 31st".
  return end && DATE_ONLY.test(value) ? parsed.plus({ days: 1 }).toUTC() : parsed.toUTC()
}

export function validateBacktestBody(raw: unknown): BacktestRequest {
  const body = bodyObject(raw)
  const errors: FieldError[] = []
  unknownFields(body, Object.keys(backtestBodySchema.properties), errors)
  const version = versionRef(body.version, '/version', errors) ?? 'draft'
  const from = periodBound(body.from, '/from', false, errors)
  const to = periodBound(body.to, '/to', true, errors)
  if (from && to && to <= from) {
    errors.push({ pointer: '/to', rule: 'after', message: 'must be after `from`' })
  }
  const merchantId = positiveInteger(body.merchant_id, '/merchant_id', errors)
  const baseline = positiveInteger(body.baseline, '/baseline', errors)
  const maxChanges =
    positiveInteger(body.max_changes, '/max_changes', errors, MAX_BACKTEST_CHANGES) ??
    DEFAULT_BACKTEST_CHANGES
  if (body.async !== undefined && typeof body.async !== 'boolean') {
    errors.push({ pointer: '/async', rule: 'boolean', message: 'must be true or false' })
  }
  if (errors.length > 0) throw ProblemException.invalid(errors, 'The backtest request is invalid')
  return {
    version,
    from: from!,
    to: to!,
    merchantId,
    baseline,
    maxChanges,
    async: body.async === true,
  }
}
