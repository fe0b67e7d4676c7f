import type Ruleset from '#models/ruleset'
import type { OrderFacts, QuoteInput } from '#dispatch/types'
import { dryRun } from '#dispatch/decision/dry_run'
import { buildTimeFact } from '#dispatch/decision/time_fact'
import { snapshotFacts } from '#dispatch/decision/facts_snapshot'
import type { DryRunRequest } from '#validators/admin/ruleset_simulation'
import { resolveDocument } from '#services/rulesets/ruleset_service'
import { DEFAULT_WEATHER, factsForStoredOrder } from '#services/rulesets/order_facts'
import { quoteProvider } from '#services/rulesets/quote_provider'
import { invalidField, invalidRuleset } from '#services/rulesets/ruleset_problems'

/*
 * "Test this ruleset on an order": a stored order (facts rebuilt from the
 * database) or inline facts, with the quotes the caller gives. The answer is the
 * decision production would record plus json-rules-engine's explanation: every
 * rule's condition trace for the order and for each quote, and why each
 * candidate was excluded or how it scored. Nothing is stored.
 */

export interface DryRunOutcome {
  ruleset_id: number
  version: number | 'draft'
  version_key: string
  order_source: 'stored' | 'inline'
  order_id: number | null
  facts: OrderFacts
  fact_sources: Record<string, string>
  assumptions: string[]
  decision: unknown
  explanation: unknown
  evaluators_agree: boolean
}

async function factsOf(scope: number | null, request: DryRunRequest) {
  if (typeof request.order === 'number') {
    const stored = await factsForStoredOrder(scope, request.order, request.weather)
    if (!stored) throw invalidField('/order', 'exists', `order ${request.order} does not exist`)
    return {
      facts: stored.facts,
      sources: { ...stored.sources },
      assumptions: stored.assumptions,
      source: 'stored' as const,
      orderId: request.order,
    }
  }

  const inline = request.order
  const assumptions: string[] = []
  const weather = request.weather ?? inline.weather
  const time = inline.time ?? buildTimeFact(new Date())
  if (!weather) {
    assumptions.push(
      `No weather given: assumed ${DEFAULT_WEATHER.condition}, ${DEFAULT_WEATHER.temperature_c} °C, wind ${DEFAULT_WEATHER.wind_level}.`
    )
  }
  if (!inline.time) assumptions.push('No time given: used the current time, China Standard Time.')
  return {
    facts: {
      order: inline.order,
      merchant: inline.merchant,
      store: inline.store,
      weather: weather ?? { ...DEFAULT_WEATHER },
      time,
    },
    sources: {
      weather: request.weather ? 'request' : inline.weather ? 'inline' : 'default',
      time: inline.time ? 'inline' : 'now',
    },
    assumptions,
    source: 'inline' as const,
    orderId: null,
  }
}

async function quotesFor(
  facts: OrderFacts,
  quotes: DryRunRequest['quotes']
): Promise<QuoteInput[]> {
  if (quotes !== 'live') return quotes
  const provider = quoteProvider()
  if (!provider) {
    throw invalidField(
      '/quotes',
      'live-unavailable',
      'live quoting is not available yet: no quote provider is registered (it comes with the dispatch pipeline); pass the quotes to compare as a list',
      'Live quotes are not available yet'
    )
  }
  const live = await provider.quotesFor(facts)
  if (live.length === 0) {
    throw invalidField('/quotes', 'live-empty', 'no carrier returned a quote for this order')
  }
  return live
}

export async function dryRunRuleset(
  ruleset: Ruleset,
  request: DryRunRequest,
  scope: number | null
): Promise<DryRunOutcome> {
  const source = await resolveDocument(ruleset, request.version)
  const {
    facts,
    sources,
    assumptions,
    source: orderSource,
    orderId,
  } = await factsOf(scope, request)
  const quotes = await quotesFor(facts, request.quotes)

  let result: Awaited<ReturnType<typeof dryRun>>
  try {
    result = await dryRun(source.document, facts, quotes, source.versionKey)
  } catch (error) {
    // Facts and quotes are schema-checked, so what is left is a rule that cannot be
    // evaluated on this data (e.g. `in` against a fact that is not a list): the
    // engine refuses the whole evaluation and the hub reports it rather than guess.
    throw invalidField(
      '/order',
      'evaluation',
      `the rules could not be evaluated on this order: ${(error as Error).message}`,
      'The rules could not be evaluated'
    )
  }
  // resolveDocument only returns valid documents; this guards a validator change.
  if (!result.valid) throw invalidRuleset(result.errors)

  return {
    ruleset_id: ruleset.id,
    version: source.ref,
    version_key: source.versionKey,
    order_source: orderSource,
    order_id: orderId,
    // What the rules saw, masked as a decision record would store it.
    facts: snapshotFacts(facts).facts,
    fact_sources: sources,
    assumptions,
    decision: result.decision,
    explanation: {
      summary: result.explanation.summary,
      order_rules: result.explanation.orderRules,
      candidates: result.explanation.candidates,
    },
    evaluators_agree: result.evaluatorsAgree,
  }
}
