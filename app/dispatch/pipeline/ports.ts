import type {
  CancelResult,
  CarrierOrderRef,
  CreateResult,
  HubOrder,
  PreCancelResult,
  QuoteResult,
  StatusEvent,
} from '#sdk/contract'
import type { CarrierFact, Vehicle, WeatherFact } from '#dispatch/types'
import type { CompiledRuleset } from '#dispatch/rules/compiler'
import type { Decision, OrderFacts, QuoteInput } from '#dispatch/types'

/**
 * What the dispatcher needs from the rest of the hub, as small interfaces: the
 * carrier plugins (through the worker host), the published rules, weather and
 * carrier statistics, and where decisions are recorded. The provider wires the
 * real services; tests may wire others.
 */
export interface CarrierAccountRef {
  accountId: number
  pluginId: string
  capabilities: string[]
  vehicle: Vehicle
  licensedMedicine: boolean
}

export interface CarrierGateway {
  /** Enabled accounts whose plugin is loaded and that may serve this merchant/store/city. */
  eligibleAccounts(scope: {
    merchantId: number
    storeId: number
    city: string
  }): Promise<CarrierAccountRef[]>
  quote(accountId: number, order: HubOrder): Promise<QuoteResult>
  create(
    accountId: number,
    order: HubOrder,
    quote: QuoteResult,
    idempotencyKey: string
  ): Promise<CreateResult>
  preCancel(accountId: number, ref: CarrierOrderRef): Promise<PreCancelResult>
  cancel(
    accountId: number,
    ref: CarrierOrderRef,
    reason: string
  ): Promise<CancelResult | void | null>
  addTip(accountId: number, ref: CarrierOrderRef, amountFen: number): Promise<void>
  track(accountId: number, ref: CarrierOrderRef): Promise<StatusEvent[]>
}

export interface ActiveRules {
  /** Stored version id (null for the shipped default when nothing is published). */
  versionId: number | null
  compiled: CompiledRuleset
}

export interface RulesProvider {
  forMerchant(merchantId: number): Promise<ActiveRules>
}

export interface WeatherProvider {
  current(city: string): Promise<WeatherFact>
}

export interface CarrierStatsProvider {
  stats(account: CarrierAccountRef): Promise<CarrierFact>
}

export interface DecisionRecorder {
  record(input: {
    orderId: number
    merchantId: number
    attemptNo: number
    rulesetVersionId: number | null
    facts: OrderFacts
    quotes: QuoteInput[]
    decision: Decision
  }): Promise<void>
}

export interface DispatchPorts {
  carriers: CarrierGateway
  rules: RulesProvider
  weather: WeatherProvider
  stats: CarrierStatsProvider
  decisions: DecisionRecorder
}
