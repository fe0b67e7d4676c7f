import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import type { BacktestResult } from '#services/rulesets/backtest_service'

/** Request fields → the flags that set them, for error messages. */
const FLAG_OF: Record<string, string> = {
  '/version': '--version',
  '/from': '--from',
  '/to': '--to',
  '/merchant_id': '--merchant',
  '/baseline': '--baseline',
  '/max_changes': '--max-changes',
}

const BAR_WIDTH = 30

/**
 * Replays a ruleset version, a draft or a file over the stored decisions of a
 * period and prints what would change: the same engine and numbers as
 * POST /rulesets/:id/backtest, for periods too long to wait for in a browser.
 */
export default class RulesBacktest extends BaseCommand {
  static commandName = 'rules:backtest'
  static description =
    'Replay a ruleset over stored decisions of a period and summarise the changes'
  static options: CommandOptions = { startApp: true }

  @flags.number({
    description:
      'Ruleset id (default: the global ruleset); also where --baseline versions come from',
  })
  declare ruleset?: number

  @flags.string({ description: 'Backtest this ruleset file instead of a stored version or draft' })
  declare file?: string

  @flags.string({ description: 'Version number, "active" or "draft" (default: draft)' })
  declare version?: string

  @flags.string({ description: 'Start of the period: YYYY-MM-DD (China time) or ISO date-time' })
  declare from: string

  @flags.string({
    description: 'End of the period: a date includes that day; a date-time is exclusive',
  })
  declare to: string

  @flags.number({ description: 'Only this merchant’s decisions' })
  declare merchant?: number

  @flags.number({
    description: 'Compare with this version instead of the carriers actually chosen',
  })
  declare baseline?: number

  @flags.number({ description: 'How many changed decisions to list (default 20)', default: 20 })
  declare maxChanges: number

  @flags.boolean({ description: 'Print the result as JSON' })
  declare json: boolean

  async run() {
    const { default: ProblemException } = await import('#exceptions/problem')
    const { validateBacktestBody } = await import('#validators/admin/ruleset_simulation')
    const { ensureGlobalRuleset, findRuleset } = await import('#services/rulesets/ruleset_service')
    const { planBacktest, runBacktest } = await import('#services/rulesets/backtest_service')
    const { validateRuleset } = await import('#dispatch/rules/validator')
    const { readFile } = await import('node:fs/promises')
    const { basename } = await import('node:path')

    if (this.file && this.version !== undefined) {
      return this.fail('--version and --file are alternatives: pass one of them')
    }

    try {
      const version =
        this.version === undefined || ['draft', 'active'].includes(this.version)
          ? this.version
          : Number(this.version)
      const request = validateBacktestBody({
        version,
        from: this.from,
        to: this.to,
        merchant_id: this.merchant,
        baseline: this.baseline,
        max_changes: this.maxChanges,
      })
      const ruleset = this.ruleset
        ? await findRuleset(null, this.ruleset)
        : await ensureGlobalRuleset()

      let proposal: { label: string; document: any } | undefined
      if (this.file) {
        const validation = validateRuleset(await readFile(this.file, 'utf8'))
        if (!validation.valid) {
          this.logger.error(`${this.file} is invalid (run rules:validate for details):`)
          for (const error of validation.errors.slice(0, 10)) {
            this.logger.log(`  ${error.pointer || '(document)'}  [${error.rule}]  ${error.message}`)
          }
          this.exitCode = 1
          return
        }
        proposal = { label: basename(this.file), document: validation.document }
      }

      const plan = await planBacktest(ruleset, request, proposal)
      const result = await runBacktest(plan, (processed, total) => {
        if (!this.json) this.logger.logUpdate(this.progressBar(processed, total))
      })
      if (!this.json) this.logger.logUpdatePersist()
      this.report(result)
    } catch (error) {
      if (error instanceof ProblemException) {
        const details = error.errors.map(
          (e) => `${FLAG_OF[e.pointer] ?? (e.pointer || 'ruleset')}: ${e.message}`
        )
        return this.fail(details.length ? details.join('; ') : (error.detail ?? error.message))
      }
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return this.fail(`Cannot read ${this.file}: ${(error as Error).message}`)
      }
      throw error
    }
  }

  private fail(message: string) {
    this.logger.error(message)
    this.exitCode = 1
  }

  private progressBar(processed: number, total: number) {
    const ratio = total ? Math.min(1, processed / total) : 1
    const filled = Math.round(ratio * BAR_WIDTH)
    return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${Math.floor(ratio * 100)}% ${processed}/${total} decisions`
  }

  private report(result: BacktestResult) {
    if (this.json) {
      this.logger.log(JSON.stringify(result))
      return
    }
    const baseline =
      result.baseline.kind === 'recorded'
        ? 'carriers actually chosen'
        : `version ${result.baseline.version}`
    this.logger.info(
      `${result.version_key} vs ${baseline}: ${result.records} decisions, ${result.changed} would change (${result.elapsed_ms} ms)`
    )

    if (result.records === 0) {
      this.logger.warning(
        `No decisions were recorded between ${result.period.from} and ${result.period.to}${result.merchant_id ? ` for merchant ${result.merchant_id}` : ''}`
      )
      return
    }

    const signed = (value: number) => (value > 0 ? `+${value}` : String(value))
    const summary = this.ui.table()
    summary.head(['', 'before', 'after', 'delta'])
    summary.row([
      'no carrier chosen',
      String(result.no_winner_before),
      String(result.no_winner_after),
      signed(result.no_winner_after - result.no_winner_before),
    ])
    summary.row([
      'fees (fen)',
      String(result.cost.fee_fen_before),
      String(result.cost.fee_fen_after),
      signed(result.cost.fee_fen_after - result.cost.fee_fen_before),
    ])
    summary.row([
      'tips (fen)',
      String(result.cost.tip_fen_before),
      String(result.cost.tip_fen_after),
      signed(result.cost.tip_fen_after - result.cost.tip_fen_before),
    ])
    summary.row([
      'cost (fee + tip, fen)',
      String(result.cost.total_fen_before),
      String(result.cost.total_fen_after),
      `${signed(result.cost.delta_fen)} (avg ${signed(result.cost.average_delta_fen)})`,
    ])
    summary.row([
      'ETA (s)',
      String(result.eta.eta_s_before),
      String(result.eta.eta_s_after),
      `${signed(result.eta.delta_s)} (avg ${signed(result.eta.average_delta_s)})`,
    ])
    if (result.errors > 0) summary.row(['not replayable', '', String(result.errors), ''])
    summary.render()

    const carriers = [
      ...new Set([
        ...Object.keys(result.carrier_share.before),
        ...Object.keys(result.carrier_share.after),
      ]),
    ].sort()
    if (carriers.length > 0) {
      const percent = (share?: { share: number }) => `${((share?.share ?? 0) * 100).toFixed(1)}%`
      const shares = this.ui.table()
      shares.head(['carrier', 'wins before', 'share before', 'wins after', 'share after'])
      for (const carrier of carriers) {
        const before = result.carrier_share.before[carrier]
        const after = result.carrier_share.after[carrier]
        shares.row([
          carrier,
          String(before?.wins ?? 0),
          percent(before),
          String(after?.wins ?? 0),
          percent(after),
        ])
      }
      shares.render()
    }

    for (const change of result.changes) {
      const describe = (side: typeof change.before) =>
        side
          ? `${side.carrier}/${side.account_id} ${side.fee_fen} fen ${side.eta_s} s`
          : 'no carrier'
      this.logger.log(
        `  order ${change.order_id}: ${describe(change.before)} → ${describe(change.after)}`
      )
    }
  }
}
