/*
 * Shared vocabulary of the dispatch rules: the facts rules can read, the rule
 * documents admins write, and the decision records the hub stores.
 *
 * Fact property names are snake_case on purpose: they are what admins type into
 * rule paths (`$.declared_value_fen`), so they follow the JSON world, not ours.
 */

export type OrderCategory =
  | 'food'
  | 'drinks'
  | 'fresh'
  | 'grocery'
  | 'medicine'
  | 'flowers'
  | 'cake'
  | 'documents'
  | 'electronics'
  | 'other'

export type MerchantTier = 'standard' | 'vip' | 'key_account'
export type WeatherCondition = 'clear' | 'cloudy' | 'rain' | 'heavy_rain' | 'snow'
export type Vehicle = 'bike' | 'ebike' | 'car' | 'van'
export type StrategyName = 'cost-first' | 'speed-first' | 'rating-first' | 'weighted'
export type RulePhase = 'order' | 'candidate'

export interface OrderFact {
  id: number
  merchant_id: number
  store_id: number
  channel: string
  external_id: string
  category: OrderCategory
  tags: string[]
  weight_g: number
  declared_value_fen: number
  item_count: number
  is_scheduled: boolean
  distance_m: number
  recipient: { city: string; lat: number; lng: number }
}

export interface MerchantFact {
  id: number
  name: string
  tier: MerchantTier
}

export interface StoreFact {
  id: number
  city: string
  lat: number
  lng: number
}

export interface WeatherFact {
  condition: WeatherCondition
  temperature_c: number
  wind_level: number
}

export interface TimeFact {
  hour: number
  minute: number
  /** ISO weekday: 1 = Monday … 7 = Sunday */
  weekday: number
  is_peak: boolean
  minute_of_day: number
}

export interface QuoteFact {
  carrier: string
  account_id: string
  fee_fen: number
  pickup_eta_s: number
  dropoff_eta_s: number
  distance_m: number
  capabilities: string[]
  vehicle: Vehicle
}

export interface CarrierFact {
  id: string
  rating: number
  acceptance_rate: number
  on_time_rate: number
  licensed_medicine: boolean
}

/** What the order-level rules decided, readable by candidate rules. */
export interface DecisionFact {
  strategy: StrategyName
  tip_fen: number
  max_fee_fen: number | null
  required_capabilities: string[]
  fired_rules: string[]
}

export interface OrderFacts {
  order: OrderFact
  merchant: MerchantFact
  store: StoreFact
  weather: WeatherFact
  time: TimeFact
}

export interface CandidateFacts extends OrderFacts {
  quote: QuoteFact
  carrier: CarrierFact
  decision: DecisionFact
}

export interface QuoteInput {
  quote: QuoteFact
  carrier: CarrierFact
}

/*
 * Rule documents: json-rules-engine rule JSON, restricted to what the hub
 * supports (no condition references, no fact params, no operator decorators).
 */

export interface FactReference {
  fact: string
  path?: string
}

export interface LeafCondition {
  fact: string
  operator: string
  value: unknown
  path?: string
  priority?: number
  name?: string
}

export interface AllCondition {
  all: ConditionNode[]
  priority?: number
  name?: string
}

export interface AnyCondition {
  any: ConditionNode[]
  priority?: number
  name?: string
}

export interface NotCondition {
  not: ConditionNode
  priority?: number
  name?: string
}

export type BooleanCondition = AllCondition | AnyCondition | NotCondition
export type ConditionNode = LeafCondition | BooleanCondition

export interface RuleEvent {
  type: string
  params?: Record<string, unknown>
}

export interface RuleDocument {
  name: string
  priority: number
  conditions: BooleanCondition
  event: RuleEvent
}

export interface RulesetDocument {
  name: string
  description?: string
  orderRules: RuleDocument[]
  candidateRules: RuleDocument[]
}

export interface RuleError {
  /** JSON pointer into the submitted document ("" is the whole document) */
  pointer: string
  rule: string
  message: string
}

/*
 * Evaluation results.
 */

export interface FiredEvent {
  rule: string
  type: string
  params: Record<string, unknown>
}

export interface StrategyWeights {
  cost: number
  speed: number
  rating: number
  acceptance: number
}

export interface Exclusion {
  /** rule name, or `strategy:<check>` when the hub applied an order-level outcome */
  by: string
  reason: string
}

export interface ScoreAdjustment {
  by: string
  delta: number
}

export interface CandidateDecision {
  carrier: string
  accountId: string
  feeFen: number
  etaS: number
  baseScore: number | null
  score: number | null
  adjustments: ScoreAdjustment[]
  excluded: Exclusion | null
  rank: number | null
}

export interface Decision {
  rulesetVersion: string
  strategy: StrategyName
  weights?: StrategyWeights
  tipFen: number
  maxFeeFen: number | null
  acceptTimeoutS: number
  requiredCapabilities: string[]
  orderEvents: FiredEvent[]
  candidates: CandidateDecision[]
  winner: { carrier: string; accountId: string } | null
  evaluationMicros: number
}
