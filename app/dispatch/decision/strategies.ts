import type { CandidateDecision, StrategyName, StrategyWeights } from '#dispatch/types'
import { DEFAULT_WEIGHTS } from '#dispatch/decision/order_outcome'

/*
 * Every strategy scores eligible quotes on the same 0-100 point scale, so that a
 * rule's `adjust-score` delta or `prefer-carrier` bonus means the same thing
 * whatever the strategy:
 * - cost:       100 × cheapest fee / this fee          (10% dearer ≈ -9 points)
 * - speed:      100 × fastest ETA / this ETA           (ETA = pickup + dropoff)
 * - rating:     20 × rating (0-5)
 * - acceptance: 100 × acceptance rate (0-1)
 * cost-first, speed-first and rating-first use one component; weighted blends
 * all four with the event's weights. Fees and ETAs below 1 count as 1.
 */

export interface ScoringInput {
  candidate: Pick<CandidateDecision, 'feeFen' | 'etaS'>
  rating: number
  acceptanceRate: number
}

const finiteOr = (value: number, fallback: number) => (Number.isFinite(value) ? value : fallback)
const clamp = (value: number, min: number, max: number) =>
  Math.min(max, Math.max(min, finiteOr(value, min)))

function ratioScore(best: number, value: number): number {
  if (!Number.isFinite(value) || !Number.isFinite(best)) return 0
  return (100 * best) / Math.max(value, 1)
}

export function roundScore(score: number): number {
  return Math.round(score * 10_000) / 10_000
}

export function baseScores(
  strategy: StrategyName,
  weights: StrategyWeights | undefined,
  inputs: readonly ScoringInput[]
): number[] {
  let cheapest = Number.POSITIVE_INFINITY
  let fastest = Number.POSITIVE_INFINITY
  for (const { candidate } of inputs) {
    if (Number.isFinite(candidate.feeFen))
      cheapest = Math.min(cheapest, Math.max(candidate.feeFen, 1))
    if (Number.isFinite(candidate.etaS)) fastest = Math.min(fastest, Math.max(candidate.etaS, 1))
  }

  const scores = new Array<number>(inputs.length)
  const w = weights ?? DEFAULT_WEIGHTS
  const totalWeight = w.cost + w.speed + w.rating + w.acceptance
  for (const [index, input] of inputs.entries()) {
    switch (strategy) {
      case 'cost-first':
        scores[index] = ratioScore(cheapest, input.candidate.feeFen)
        break
      case 'speed-first':
        scores[index] = ratioScore(fastest, input.candidate.etaS)
        break
      case 'rating-first':
        scores[index] = 20 * clamp(input.rating, 0, 5)
        break
      case 'weighted':
        scores[index] =
          (w.cost * ratioScore(cheapest, input.candidate.feeFen) +
            w.speed * ratioScore(fastest, input.candidate.etaS) +
            w.rating * (20 * clamp(input.rating, 0, 5)) +
            w.acceptance * (100 * clamp(input.acceptanceRate, 0, 1))) /
          totalWeight
    }
  }
  return scores
}

export interface RankingKey extends ScoringInput {
  candidate: CandidateDecision
  inputIndex: number
}

type Comparator = (left: RankingKey, right: RankingKey) => number

/*
 * Ties on score are broken by what the strategy cares about next, then by
 * carrier id and account id (plain code-unit order, independent of locale), then
 * by input position, so equal inputs always rank the same way. Chaining with
 * `||` skips both 0 and NaN, so broken numbers fall through to the next key.
 */
function byIds(left: RankingKey, right: RankingKey): number {
  const a = left.candidate
  const b = right.candidate
  if (a.carrier !== b.carrier) return a.carrier < b.carrier ? -1 : 1
  if (a.accountId !== b.accountId) return a.accountId < b.accountId ? -1 : 1
  return left.inputIndex - right.inputIndex
}

const byScore = (left: RankingKey, right: RankingKey) =>
  right.candidate.score! - left.candidate.score!

const COMPARATORS: Record<StrategyName, Comparator> = {
  'cost-first': (left, right) =>
    byScore(left, right) ||
    left.candidate.feeFen - right.candidate.feeFen ||
    left.candidate.etaS - right.candidate.etaS ||
    byIds(left, right),
  'speed-first': (left, right) =>
    byScore(left, right) ||
    left.candidate.etaS - right.candidate.etaS ||
    left.candidate.feeFen - right.candidate.feeFen ||
    byIds(left, right),
  'rating-first': (left, right) =>
    byScore(left, right) ||
    right.acceptanceRate - left.acceptanceRate ||
    left.candidate.feeFen - right.candidate.feeFen ||
    left.candidate.etaS - right.candidate.etaS ||
    byIds(left, right),
  'weighted': (left, right) =>
    byScore(left, right) ||
    left.candidate.feeFen - right.candidate.feeFen ||
    left.candidate.etaS - right.candidate.etaS ||
    byIds(left, right),
}

export function compareForRanking(strategy: StrategyName): Comparator {
  return COMPARATORS[strategy]
}
