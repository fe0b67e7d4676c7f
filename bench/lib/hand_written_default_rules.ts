import type {
  CandidateDecision,
  Decision,
  FiredEvent,
  OrderFacts,
  QuoteInput,
  ScoreAdjustment,
  StrategyName,
} from '#dispatch/types'

/*
 * rules/default.json written out by hand as plain JavaScript: the speed a
 * developer would get by hard-coding the policy instead of reading rule JSON.
 * It builds the same Decision as decide() (the benchmark checks this for every
 * order), so the comparison is like for like.
 */

type Params = Record<string, unknown>
const event = (rule: string, type: string, params: Params): FiredEvent =>
  Object.freeze({ rule, type, params })

const COLD_CHAIN = event('cold-chain-capability', 'require-capability', {
  capability: 'cold_chain',
})
const SEVERE_TIP = event('severe-weather-tip', 'add-tip', { amount_fen: 300 })
const SNOW_TIP = event('snow-extra-tip', 'add-tip', { amount_fen: 200 })
const SEVERE_TIMEOUT = event('severe-weather-accept-timeout', 'set-accept-timeout', {
  seconds: 180,
})
const NIGHT_TIMEOUT = event('late-night-accept-timeout', 'set-accept-timeout', { seconds: 120 })
const HIGH_VALUE = event('high-value-rating-first', 'set-strategy', { strategy: 'rating-first' })
const VIP = event('vip-speed-first', 'set-strategy', { strategy: 'speed-first' })
const PEAK = event('peak-hours-speed-first', 'set-strategy', { strategy: 'speed-first' })
const DEFAULT = event('default-cost-first', 'set-strategy', { strategy: 'cost-first' })

const MEDICINE_REASON = 'carrier is not licensed to carry medicine'
const CAKE_REASON = 'cakes of 3 kg or more need a car or van'

const round = (score: number) => Math.round(score * 10_000) / 10_000

interface Eligible {
  candidate: CandidateDecision
  rating: number
  acceptance: number
  index: number
}

export function decideHandWritten(
  version: string,
  facts: OrderFacts,
  quotes: readonly QuoteInput[]
): Decision {
  const startedAt = performance.now()
  const { order, merchant, weather, time } = facts
  const severe =
    weather.condition === 'heavy_rain' ||
    weather.condition === 'snow' ||
    weather.temperature_c >= 37
  const minute = time.minute_of_day
  const coldChain = order.tags.includes('cold_chain')
  const highValue = order.declared_value_fen >= 50000
  const vip = order.tags.includes('vip') || merchant.tier === 'vip'
  const peak = time.is_peak === true
  const lateNight = minute >= 1320 || minute < 360

  const orderEvents: FiredEvent[] = []
  if (coldChain) orderEvents.push(COLD_CHAIN)
  if (severe) orderEvents.push(SEVERE_TIP)
  if (weather.condition === 'snow') orderEvents.push(SNOW_TIP)
  if (severe) orderEvents.push(SEVERE_TIMEOUT)
  if (lateNight) orderEvents.push(NIGHT_TIMEOUT)
  if (highValue) orderEvents.push(HIGH_VALUE)
  if (vip) orderEvents.push(VIP)
  if (peak) orderEvents.push(PEAK)
  orderEvents.push(DEFAULT)

  const strategy: StrategyName = highValue
    ? 'rating-first'
    : vip || peak
      ? 'speed-first'
      : 'cost-first'
  const tipFen = (severe ? 300 : 0) + (weather.condition === 'snow' ? 200 : 0)
  const acceptTimeoutS = severe ? 180 : lateNight ? 120 : 60
  const isMedicine = order.category === 'medicine'
  const bigCake = order.category === 'cake' && order.weight_g >= 3000
  const fragile =
    order.category === 'cake' || order.category === 'flowers' || order.category === 'electronics'
  const longTrip = order.distance_m >= 8000 && order.distance_m < 100000

  const candidates: CandidateDecision[] = []
  const eligible: Eligible[] = []
  for (const [index, { quote, carrier }] of quotes.entries()) {
    const candidate: CandidateDecision = {
      carrier: quote.carrier,
      accountId: quote.account_id,
      feeFen: quote.fee_fen,
      etaS: quote.pickup_eta_s + quote.dropoff_eta_s,
      baseScore: null,
      score: null,
      adjustments: [],
      excluded: null,
      rank: null,
    }
    candidates.push(candidate)
    if (coldChain && !quote.capabilities.includes('cold_chain')) {
      candidate.excluded = {
        by: 'strategy:require-capability',
        reason: 'quote lacks capability "cold_chain" required by rule "cold-chain-capability"',
      }
      continue
    }
    const carOrVan = quote.vehicle === 'car' || quote.vehicle === 'van'
    if (isMedicine && carrier.licensed_medicine !== true) {
      candidate.excluded = { by: 'medicine-licensed-only', reason: MEDICINE_REASON }
      continue
    }
    if (bigCake && !carOrVan) {
      candidate.excluded = { by: 'large-cake-needs-car', reason: CAKE_REASON }
      continue
    }
    const adjustments: ScoreAdjustment[] = []
    if (severe && carrier.acceptance_rate >= 0.9)
      adjustments.push({ by: 'severe-weather-prefer-reliable', delta: 15 })
    if (severe && carrier.acceptance_rate < 0.7)
      adjustments.push({ by: 'severe-weather-avoid-unreliable', delta: -15 })
    if (fragile && carOrVan) adjustments.push({ by: 'fragile-goods-prefer-car', delta: 5 })
    if (longTrip && quote.vehicle === 'bike')
      adjustments.push({ by: 'long-distance-avoid-bikes', delta: -10 })
    candidate.adjustments = adjustments
    eligible.push({ candidate, rating: carrier.rating, acceptance: carrier.acceptance_rate, index })
  }

  let cheapest = Infinity
  let fastest = Infinity
  for (const { candidate } of eligible) {
    cheapest = Math.min(cheapest, Math.max(candidate.feeFen, 1))
    fastest = Math.min(fastest, Math.max(candidate.etaS, 1))
  }
  for (const entry of eligible) {
    const { candidate } = entry
    const base =
      strategy === 'cost-first'
        ? (100 * cheapest) / Math.max(candidate.feeFen, 1)
        : strategy === 'speed-first'
          ? (100 * fastest) / Math.max(candidate.etaS, 1)
          : 20 * Math.min(5, Math.max(0, entry.rating))
    let score = base
    for (const adjustment of candidate.adjustments) score += adjustment.delta
    candidate.baseScore = round(base)
    candidate.score = round(score)
  }

  eligible.sort((left, right) => {
    const a = left.candidate
    const b = right.candidate
    if (a.score !== b.score) return b.score! - a.score!
    if (strategy === 'rating-first' && left.acceptance !== right.acceptance)
      return right.acceptance - left.acceptance
    if (strategy === 'speed-first') {
      if (a.etaS !== b.etaS) return a.etaS - b.etaS
      if (a.feeFen !== b.feeFen) return a.feeFen - b.feeFen
    } else {
      if (a.feeFen !== b.feeFen) return a.feeFen - b.feeFen
      if (a.etaS !== b.etaS) return a.etaS - b.etaS
    }
    if (a.carrier !== b.carrier) return a.carrier < b.carrier ? -1 : 1
    if (a.accountId !== b.accountId) return a.accountId < b.accountId ? -1 : 1
    return left.index - right.index
  })

  const ranked: CandidateDecision[] = []
  for (const [rank, element] of eligible.entries()) {
    element.candidate.rank = rank + 1
    ranked.push(element.candidate)
  }
  for (const candidate of candidates) if (candidate.rank === null) ranked.push(candidate)
  const winner = eligible[0]?.candidate

  return {
    rulesetVersion: version,
    strategy,
    tipFen,
    maxFeeFen: null,
    acceptTimeoutS,
    requiredCapabilities: coldChain ? ['cold_chain'] : [],
    orderEvents,
    candidates: ranked,
    winner: winner ? { carrier: winner.carrier, accountId: winner.accountId } : null,
    evaluationMicros: Math.round((performance.now() - startedAt) * 10_000) / 10,
  }
}
