import type { OrderFacts, QuoteInput } from '#dispatch/types'
import type { CompiledRuleset } from '#dispatch/rules/compiler'
import { decide } from '#dispatch/decision/decide'

/*
 * Replays past orders (their stored facts snapshots and quotes) through a ruleset
 * and reports what would have changed: against a baseline ruleset when one is
 * given (typically the published version), otherwise against the carrier that
 * was actually chosen. Synchronous on the compiled evaluator, so a month of
 * orders replays in well under a second; callers stream large histories in
 * batches and merge the summaries.
 */

export interface BacktestCase {
  /** order id or any key the caller wants back in the change list */
  key: string | number
  facts: OrderFacts
  quotes: QuoteInput[]
  /** the winner recorded at the time, if any */
  actual?: { carrier: string; accountId: string } | null
}

export interface BacktestChange {
  key: string | number
  before: { carrier: string; accountId: string; feeFen: number } | null
  after: { carrier: string; accountId: string; feeFen: number } | null
}

export interface BacktestSummary {
  orders: number
  compared: number
  changed: number
  noWinnerBefore: number
  noWinnerAfter: number
  /** fee of the chosen quotes (before tips), where both sides chose one */
  feeFenBefore: number
  feeFenAfter: number
  winsBefore: Record<string, number>
  winsAfter: Record<string, number>
  /** the first `maxChanges` changed orders */
  changes: BacktestChange[]
  elapsedMs: number
}

export interface BacktestOptions {
  baseline?: CompiledRuleset
  maxChanges?: number
}

type ChosenQuote = { carrier: string; accountId: string; feeFen: number } | null

function pickOf(
  winner: { carrier: string; accountId: string } | null | undefined,
  quotes: QuoteInput[]
): ChosenQuote {
  if (!winner) return null
  const quote = quotes.find(
    (input) => input.quote.carrier === winner.carrier && input.quote.account_id === winner.accountId
  )
  return { carrier: winner.carrier, accountId: winner.accountId, feeFen: quote?.quote.fee_fen ?? 0 }
}

const count = (tally: Record<string, number>, carrier: string) => {
  tally[carrier] = (tally[carrier] ?? 0) + 1
}

export function backtest(
  ruleset: CompiledRuleset,
  cases: Iterable<BacktestCase>,
  options: BacktestOptions = {}
): BacktestSummary {
  const startedAt = performance.now()
  const maxChanges = options.maxChanges ?? 200
  const summary: BacktestSummary = {
    orders: 0,
    compared: 0,
    changed: 0,
    noWinnerBefore: 0,
    noWinnerAfter: 0,
    feeFenBefore: 0,
    feeFenAfter: 0,
    winsBefore: {},
    winsAfter: {},
    changes: [],
    elapsedMs: 0,
  }

  for (const { key, facts, quotes, actual } of cases) {
    summary.orders++
    const after = pickOf(decide(ruleset, facts, quotes).winner, quotes)
    let before: ChosenQuote
    if (options.baseline) {
      before = pickOf(decide(options.baseline, facts, quotes).winner, quotes)
    } else if (actual !== undefined) {
      before = pickOf(actual, quotes)
    } else {
      continue
    }
    summary.compared++
    if (before) count(summary.winsBefore, before.carrier)
    else summary.noWinnerBefore++
    if (after) count(summary.winsAfter, after.carrier)
    else summary.noWinnerAfter++
    if (before && after) {
      summary.feeFenBefore += before.feeFen
      summary.feeFenAfter += after.feeFen
    }
    const same = before?.carrier === after?.carrier && before?.accountId === after?.accountId
    if (!same) {
      summary.changed++
      if (summary.changes.length < maxChanges) summary.changes.push({ key, before, after })
    }
  }

  summary.elapsedMs = Math.round((performance.now() - startedAt) * 10) / 10
  return summary
}
