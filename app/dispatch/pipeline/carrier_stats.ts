import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import type { CarrierFact } from '#dispatch/types'
import type { CarrierAccountRef, CarrierStatsProvider } from '#dispatch/pipeline/ports'
import { sqlTime } from '#dispatch/pipeline/order_transitions'

/**
 * Priors stand in for history a new account does not have yet: as attempts
 * accumulate, the observed rates take over (a Beta prior worth PRIOR_WEIGHT
 * attempts).
 */
const PRIOR = { acceptance: 0.85, onTime: 0.9, rating: 4.5 }
const PRIOR_WEIGHT = 20
const WINDOW_DAYS = 7
const CACHE_MS = 60_000

/**
 * Recent acceptance and on-time rates per carrier account, from the hub's own
 * dispatch history, for the candidate rules (e.g. "prefer carriers with high
 * acceptance in heavy rain"). Cached a minute: rules need a trend, not a tick.
 */
export class HistoryCarrierStats implements CarrierStatsProvider {
  #cache = new Map<number, { at: number; fact: CarrierFact }>()

  async stats(account: CarrierAccountRef): Promise<CarrierFact> {
    const cached = this.#cache.get(account.accountId)
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.fact

    const since = sqlTime(DateTime.utc().minus({ days: WINDOW_DAYS }))
    const rows = await db
      .from('dispatch_attempts')
      .where('carrier_account_id', account.accountId)
      .where('created_at', '>=', since)
      .select('state')
      .count('* as n')
      .groupBy('state')
    const count = (states: string[]) =>
      rows.filter((row) => states.includes(row.state)).reduce((sum, row) => sum + Number(row.n), 0)
    const accepted = count(['accepted', 'completed'])
    const decided = accepted + count(['rejected', 'timed_out'])
    const acceptance = (accepted + PRIOR.acceptance * PRIOR_WEIGHT) / (decided + PRIOR_WEIGHT)

    const fact: CarrierFact = {
      id: account.pluginId,
      rating: Math.round((PRIOR.rating - (1 - acceptance) * 2) * 100) / 100,
      acceptance_rate: Math.round(acceptance * 1000) / 1000,
      on_time_rate: PRIOR.onTime,
      licensed_medicine: account.licensedMedicine,
    }
    this.#cache.set(account.accountId, { at: Date.now(), fact })
    return fact
  }
}
