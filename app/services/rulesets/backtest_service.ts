import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import type { DateTime } from 'luxon'
import DecisionRecord from '#models/decision_record'
import Ruleset from '#models/ruleset'
import type { Decision, QuoteInput, RulesetDocument } from '#dispatch/types'
import type { CompiledRuleset } from '#dispatch/rules/compiler'
import { getCompiledRuleset } from '#dispatch/rules/compiled_ruleset_cache'
import { rulesetVersionKey } from '#dispatch/rules/version_key'
import { decide } from '#dispatch/decision/decide'
import type { BacktestRequest } from '#validators/admin/ruleset_simulation'
import { resolveDocument } from '#services/rulesets/ruleset_service'

/*
 * Backtests: replay a proposed ruleset over the decision records of a period and
 * report what would change against a baseline, which is either the carriers that
 * were actually chosen (default) or another version replayed on the same facts.
 *
 * Records are streamed in id order, BATCH_SIZE at a time, with `decide` (the
 * compiled evaluator production uses), so memory stays flat over any period and
 * a long run yields to the event loop between batches while it reports progress.
 * The stored facts snapshots carry the weather and time of the original decision,
 * so a replay sees exactly what the hub saw then.
 */

const BATCH_SIZE = 500

/**
 * Periods up to this many decisions are replayed while the request waits (well
 * under a second); longer ones become a job the console polls.
 */
export const SYNC_BACKTEST_LIMIT = 5000
const SQL_DATETIME = 'yyyy-MM-dd HH:mm:ss'
const MAX_ERROR_SAMPLES = 20

export interface BacktestSide {
  /** a version number, `draft`, or a label such as a file name (CLI) */
  label: number | string
  versionKey: string
  compiled: CompiledRuleset
}

export interface BacktestPlan {
  rulesetId: number | null
  proposal: BacktestSide
  baseline: BacktestSide | null
  from: DateTime
  to: DateTime
  /** only this merchant's decisions */
  merchantId: number | null
  /** never these merchants' decisions (merchants whose own override governs them) */
  excludedMerchantIds: number[]
  maxChanges: number
}

export interface ChosenCarrier {
  carrier: string
  account_id: string
  fee_fen: number
  tip_fen: number
  eta_s: number
}

export interface BacktestChange {
  decision_id: number
  order_id: number
  merchant_id: number
  decided_at: string | null
  before: ChosenCarrier | null
  after: ChosenCarrier | null
}

export interface CarrierShare {
  wins: number
  share: number
}

export interface BacktestResult {
  ruleset_id: number | null
  version: number | string
  version_key: string
  baseline:
    { kind: 'recorded' } | { kind: 'version'; version: number | string; version_key: string }
  period: { from: string; to: string }
  merchant_id: number | null
  excluded_merchant_ids: number[]
  records: number
  compared: number
  changed: number
  unchanged: number
  errors: number
  error_samples: Array<{ decision_id: number; message: string }>
  no_winner_before: number
  no_winner_after: number
  /** over decisions where both sides chose a carrier; fees before tips, tips separately */
  cost: {
    orders: number
    fee_fen_before: number
    fee_fen_after: number
    tip_fen_before: number
    tip_fen_after: number
    total_fen_before: number
    total_fen_after: number
    delta_fen: number
    average_delta_fen: number
  }
  /** pickup + dropoff ETA of the chosen quotes, same decisions as `cost` */
  eta: {
    orders: number
    eta_s_before: number
    eta_s_after: number
    delta_s: number
    average_delta_s: number
  }
  carrier_share: { before: Record<string, CarrierShare>; after: Record<string, CarrierShare> }
  changes: BacktestChange[]
  elapsed_ms: number
}

export type BacktestProgress = (processed: number, total: number) => void

const toSql = (value: DateTime) => value.toUTC().toFormat(SQL_DATETIME)

/**
 * Published versions are cached under their version key; a draft or a file keeps
 * changing under the same label, so its cache key also carries the content hash.
 */
function side(label: number | string, versionKey: string, document: RulesetDocument): BacktestSide {
  const cacheKey =
    typeof label === 'number' ? versionKey : `${versionKey}#${rulesetVersionKey(document)}`
  return { label, versionKey, compiled: getCompiledRuleset(document, cacheKey) }
}

/** Merchants whose published override replaces the global rules: a global change does not reach them. */
async function overriddenMerchantIds() {
  const rows = await Ruleset.query()
    .select('merchant_id')
    .whereNotNull('merchant_id')
    .whereNotNull('active_version_id')
  return rows.map((row) => row.merchantId!).sort((a, b) => a - b)
}

/**
 * Which records a ruleset's backtest replays: an override, its merchant's; the
 * global ruleset, every merchant it governs (or the one asked for). `proposal`
 * replaces the ruleset's own version or draft with a document from elsewhere (the
 * CLI's --file); baselines are still versions of `ruleset`.
 */
export async function planBacktest(
  ruleset: Ruleset,
  request: BacktestRequest,
  proposal?: { label: string; document: RulesetDocument }
): Promise<BacktestPlan> {
  const proposed = proposal
    ? side(proposal.label, `file:${proposal.label}`, proposal.document)
    : await resolveDocument(ruleset, request.version, '/version').then((resolved) =>
        side(resolved.ref, resolved.versionKey, resolved.document)
      )
  const baseline = request.baseline
    ? await resolveDocument(ruleset, request.baseline, '/baseline')
    : null
  const merchantId = request.merchantId ?? ruleset.merchantId ?? null
  return {
    rulesetId: ruleset.id,
    proposal: proposed,
    baseline: baseline ? side(baseline.ref, baseline.versionKey, baseline.document) : null,
    from: request.from,
    to: request.to,
    merchantId,
    excludedMerchantIds:
      merchantId === null && ruleset.merchantId === null ? await overriddenMerchantIds() : [],
    maxChanges: request.maxChanges,
  }
}

function recordsQuery(plan: BacktestPlan) {
  const query = DecisionRecord.query()
    .where('created_at', '>=', toSql(plan.from))
    .where('created_at', '<', toSql(plan.to))
  if (plan.merchantId !== null) query.where('merchant_id', plan.merchantId)
  else if (plan.excludedMerchantIds.length > 0)
    query.whereNotIn('merchant_id', plan.excludedMerchantIds)
  return query
}

export async function countBacktestRecords(plan: BacktestPlan): Promise<number> {
  const [row] = await recordsQuery(plan).count('* as total')
  return Number(row.$extras.total)
}

function chosen(
  winner: { carrier: string; accountId: string } | null,
  quotes: readonly QuoteInput[],
  tipFen: number
): ChosenCarrier | null {
  if (!winner) return null
  const quote = quotes.find(
    (input) =>
      input.quote?.carrier === winner.carrier && input.quote?.account_id === winner.accountId
  )?.quote
  return {
    carrier: winner.carrier,
    account_id: winner.accountId,
    fee_fen: quote?.fee_fen ?? 0,
    tip_fen: tipFen,
    eta_s: (quote?.pickup_eta_s ?? 0) + (quote?.dropoff_eta_s ?? 0),
  }
}

const fromDecision = (decision: Decision, quotes: readonly QuoteInput[]) =>
  chosen(decision.winner, quotes, decision.tipFen)

function fromRecord(record: DecisionRecord) {
  const winner =
    record.winnerCarrier !== null
      ? { carrier: record.winnerCarrier, accountId: record.winnerAccountId ?? '' }
      : null
  return chosen(winner, record.quotes, record.tipFen)
}

const round = (value: number, decimals: number) => {
  const factor = 10 ** decimals
  return Math.round(value * factor) / factor
}

function shares(wins: Record<string, number>, compared: number): Record<string, CarrierShare> {
  return Object.fromEntries(
    Object.keys(wins)
      .sort()
      .map((carrier) => [
        carrier,
        { wins: wins[carrier], share: compared ? round(wins[carrier] / compared, 4) : 0 },
      ])
  )
}

/**
 * Replays the plan's records. `onProgress` is called after every batch with the
 * records processed so far and the total counted up front (records written during
 * the run are replayed too when they fall in the period, so `processed` can end
 * slightly above `total`).
 */
export async function runBacktest(
  plan: BacktestPlan,
  onProgress?: BacktestProgress,
  knownTotal?: number
): Promise<BacktestResult> {
  const startedAt = performance.now()
  const total = knownTotal ?? (await countBacktestRecords(plan))
  const winsBefore: Record<string, number> = {}
  const winsAfter: Record<string, number> = {}
  const result: BacktestResult = {
    ruleset_id: plan.rulesetId,
    version: plan.proposal.label,
    version_key: plan.proposal.versionKey,
    baseline: plan.baseline
      ? { kind: 'version', version: plan.baseline.label, version_key: plan.baseline.versionKey }
      : { kind: 'recorded' },
    period: { from: plan.from.toUTC().toISO()!, to: plan.to.toUTC().toISO()! },
    merchant_id: plan.merchantId,
    excluded_merchant_ids: plan.excludedMerchantIds,
    records: 0,
    compared: 0,
    changed: 0,
    unchanged: 0,
    errors: 0,
    error_samples: [],
    no_winner_before: 0,
    no_winner_after: 0,
    cost: {
      orders: 0,
      fee_fen_before: 0,
      fee_fen_after: 0,
      tip_fen_before: 0,
      tip_fen_after: 0,
      total_fen_before: 0,
      total_fen_after: 0,
      delta_fen: 0,
      average_delta_fen: 0,
    },
    eta: { orders: 0, eta_s_before: 0, eta_s_after: 0, delta_s: 0, average_delta_s: 0 },
    carrier_share: { before: {}, after: {} },
    changes: [],
    elapsed_ms: 0,
  }

  let lastId = 0
  onProgress?.(0, total)
  while (true) {
    const batch = await recordsQuery(plan)
      .select(
        'id',
        'order_id',
        'merchant_id',
        'facts_snapshot',
        'quotes',
        'winner_carrier',
        'winner_account_id',
        'tip_fen',
        'created_at'
      )
      .where('id', '>', lastId)
      .orderBy('id', 'asc')
      .limit(BATCH_SIZE)
    if (batch.length === 0) break

    for (const record of batch) {
      result.records++
      let before: ChosenCarrier | null
      let after: ChosenCarrier | null
      try {
        after = fromDecision(
          decide(plan.proposal.compiled, record.factsSnapshot, record.quotes),
          record.quotes
        )
        before = plan.baseline
          ? fromDecision(
              decide(plan.baseline.compiled, record.factsSnapshot, record.quotes),
              record.quotes
            )
          : fromRecord(record)
      } catch (error) {
        // Old snapshots can be incomplete; one bad record must not sink the run.
        result.errors++
        if (result.error_samples.length < MAX_ERROR_SAMPLES) {
          result.error_samples.push({ decision_id: record.id, message: (error as Error).message })
        }
        continue
      }

      result.compared++
      if (before) winsBefore[before.carrier] = (winsBefore[before.carrier] ?? 0) + 1
      else result.no_winner_before++
      if (after) winsAfter[after.carrier] = (winsAfter[after.carrier] ?? 0) + 1
      else result.no_winner_after++
      if (before && after) {
        result.cost.orders++
        result.cost.fee_fen_before += before.fee_fen
        result.cost.fee_fen_after += after.fee_fen
        result.cost.tip_fen_before += before.tip_fen
        result.cost.tip_fen_after += after.tip_fen
        result.eta.orders++
        result.eta.eta_s_before += before.eta_s
        result.eta.eta_s_after += after.eta_s
      }

      const same = before?.carrier === after?.carrier && before?.account_id === after?.account_id
      if (same) {
        result.unchanged++
      } else {
        result.changed++
        if (result.changes.length < plan.maxChanges) {
          result.changes.push({
            decision_id: record.id,
            order_id: record.orderId,
            merchant_id: record.merchantId,
            decided_at: record.createdAt?.toUTC().toISO() ?? null,
            before,
            after,
          })
        }
      }
    }

    lastId = batch[batch.length - 1].id
    onProgress?.(result.records, Math.max(total, result.records))
    if (batch.length < BATCH_SIZE) break
    await yieldToEventLoop()
  }

  const { cost, eta } = result
  cost.total_fen_before = cost.fee_fen_before + cost.tip_fen_before
  cost.total_fen_after = cost.fee_fen_after + cost.tip_fen_after
  cost.delta_fen = cost.total_fen_after - cost.total_fen_before
  cost.average_delta_fen = cost.orders ? round(cost.delta_fen / cost.orders, 2) : 0
  eta.delta_s = eta.eta_s_after - eta.eta_s_before
  eta.average_delta_s = eta.orders ? round(eta.delta_s / eta.orders, 2) : 0
  result.carrier_share = {
    before: shares(winsBefore, result.compared),
    after: shares(winsAfter, result.compared),
  }
  result.elapsed_ms = round(performance.now() - startedAt, 1)
  return result
}
