import type {
  DecisionFact,
  FiredEvent,
  ScoreAdjustment,
  StrategyName,
  StrategyWeights,
} from '#dispatch/types'

/*
 * Folds the order-level events (already in rule order: highest priority first,
 * document order within a priority) into the outcome the hub applies:
 * - single-valued settings (strategy, accept timeout): the first event wins, so a
 *   higher-priority rule overrides a lower one;
 * - tips and carrier bonuses add up; the lowest max-fee wins;
 * - required capabilities and excluded carriers accumulate.
 */

export const DEFAULT_STRATEGY: StrategyName = 'cost-first'
export const DEFAULT_ACCEPT_TIMEOUT_S = 60
export const DEFAULT_WEIGHTS: Readonly<StrategyWeights> = Object.freeze({
  cost: 0.4,
  speed: 0.3,
  rating: 0.2,
  acceptance: 0.1,
})

export interface OrderOutcome {
  strategy: StrategyName
  strategyRule: string | null
  weights?: StrategyWeights
  tipFen: number
  maxFee: { amountFen: number; rule: string } | null
  acceptTimeoutS: number
  requiredCapabilities: Array<{ capability: string; rule: string }>
  excludedCarriers: Map<string, { rule: string; reason: string }>
  carrierBonuses: Map<string, ScoreAdjustment[]>
  firedRules: string[]
}

export function foldOrderEvents(events: readonly FiredEvent[]): OrderOutcome {
  const outcome: OrderOutcome = {
    strategy: DEFAULT_STRATEGY,
    strategyRule: null,
    tipFen: 0,
    maxFee: null,
    acceptTimeoutS: DEFAULT_ACCEPT_TIMEOUT_S,
    requiredCapabilities: [],
    excludedCarriers: new Map(),
    carrierBonuses: new Map(),
    firedRules: [],
  }
  let timeoutSet = false

  for (const { rule, type, params } of events) {
    outcome.firedRules.push(rule)
    switch (type) {
      case 'set-strategy':
        if (outcome.strategyRule === null) {
          outcome.strategy = params.strategy as StrategyName
          outcome.strategyRule = rule
          if (outcome.strategy === 'weighted') {
            outcome.weights = {
              ...((params.weights as StrategyWeights | undefined) ?? DEFAULT_WEIGHTS),
            }
          }
        }
        break
      case 'add-tip':
        outcome.tipFen += params.amount_fen as number
        break
      case 'max-fee': {
        const amountFen = params.amount_fen as number
        if (outcome.maxFee === null || amountFen < outcome.maxFee.amountFen) {
          outcome.maxFee = { amountFen, rule }
        }
        break
      }
      case 'set-accept-timeout':
        if (!timeoutSet) {
          outcome.acceptTimeoutS = params.seconds as number
          timeoutSet = true
        }
        break
      case 'require-capability': {
        const capability = params.capability as string
        if (!outcome.requiredCapabilities.some((required) => required.capability === capability)) {
          outcome.requiredCapabilities.push({ capability, rule })
        }
        break
      }
      case 'exclude-carrier': {
        const carrier = params.carrier as string
        if (!outcome.excludedCarriers.has(carrier)) {
          outcome.excludedCarriers.set(carrier, { rule, reason: params.reason as string })
        }
        break
      }
      case 'prefer-carrier': {
        const carrier = params.carrier as string
        const bonuses = outcome.carrierBonuses.get(carrier) ?? []
        bonuses.push({ by: rule, delta: params.bonus as number })
        outcome.carrierBonuses.set(carrier, bonuses)
        break
      }
    }
  }
  return outcome
}

/** The `decision` fact candidate rules can read. */
export function toDecisionFact(outcome: OrderOutcome): DecisionFact {
  return {
    strategy: outcome.strategy,
    tip_fen: outcome.tipFen,
    max_fee_fen: outcome.maxFee?.amountFen ?? null,
    required_capabilities: outcome.requiredCapabilities.map((required) => required.capability),
    fired_rules: outcome.firedRules,
  }
}
