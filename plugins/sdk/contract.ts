/**
 * The carrier contract: what the hub hands a plugin and what a plugin answers.
 * Money is integer fen and coordinates are GCJ-02 at this boundary, whatever the
 * carrier speaks; the plugin converts (see money.ts and coordinates.ts).
 * Everything here crosses a worker boundary, so values are plain JSON: no Dates,
 * no class instances, timestamps as ISO-8601 strings.
 */
import type { Manifest } from './manifest.js'
import type { StatusMap, UnifiedStatus } from './status.js'

export interface HubAddress {
  name: string
  address: string
  city: string
  /** GCJ-02 latitude. */
  lat: number
  /** GCJ-02 longitude. */
  lng: number
}

export interface HubStore extends HubAddress {
  contact_name: string
  contact_phone: string
}

export interface HubRecipient extends HubAddress {
  phone: string
}

/** The order as the hub gives it to a plugin. */
export interface HubOrder {
  /** The hub's order id; stable across dispatch attempts. */
  id: string
  /** The merchant's own order number (from the POS or channel). */
  external_id: string
  store: HubStore
  recipient: HubRecipient
  items_summary: string
  item_count: number
  weight_g: number
  declared_value_fen: number
  /** Goods category, e.g. food, cake, medicine, flowers, documents, other. */
  category: string
  notes: string
  /** Tip the hub offers on top of the fee (0 when none). */
  tip_fen: number
}

export interface QuoteResult {
  feeFen: number
  pickupEtaS: number
  dropoffEtaS: number
  distanceM: number
  /** The carrier's handle for this price (Dada deliveryNo, Shansong issOrderNo); '' when none. */
  quoteToken: string
  /** ISO-8601 time after which the quote must not be used. */
  expiresAt: string
}

export interface CreateResult {
  carrierOrderId: string
  /** The fee the carrier actually charged, when it differs from the quote. */
  feeFen?: number
}

/** Identifies a delivery already created at the carrier. */
export interface CarrierOrderRef {
  /** The hub's order id. */
  orderId: string
  carrierOrderId: string
  /** The merchant's order number, which some carriers want again on follow-up calls. */
  externalId?: string
}

export interface PreCancelResult {
  /** What cancelling now would cost the merchant (0 when free). */
  feeFen: number
}

export interface CancelResult {
  /** The fee the carrier deducted, when it says so. */
  feeFen?: number
}

export interface RiderInfo {
  name?: string
  phone?: string
  lat?: number
  lng?: number
}

export interface StatusEvent {
  /** ISO-8601 time the carrier says the change happened. */
  occurredAt: string
  /** The carrier's own code, as a string. */
  carrierStatus: string
  status: UnifiedStatus
  rider?: RiderInfo
  /** Free text from the carrier (cancel reason and the like). */
  note?: string
}

export interface NormalizedEvent extends StatusEvent {
  /** Unique per carrier event; the hub de-duplicates on it. */
  eventId: string
  carrierOrderId: string
}

export interface RiderLocation {
  lat: number
  lng: number
  /** ISO-8601 time of the fix. */
  at: string
}

export interface ProofOfDelivery {
  photoUrls: string[]
  signedBy?: string
  at: string
}

/** A webhook exactly as it arrived: headers lower-cased, the raw body untouched. */
export interface RawWebhookRequest {
  headers: Record<string, string>
  body: string
  query: Record<string, string>
}

/** The methods a plugin implements; each belongs to one manifest capability. */
export interface CarrierMethods {
  quote?(order: HubOrder): Promise<QuoteResult>
  create?(order: HubOrder, quote: QuoteResult, idempotencyKey: string): Promise<CreateResult>
  preCancel?(ref: CarrierOrderRef): Promise<PreCancelResult>
  cancel?(ref: CarrierOrderRef, reason: string): Promise<CancelResult | void>
  addTip?(ref: CarrierOrderRef, amountFen: number): Promise<void>
  track?(ref: CarrierOrderRef): Promise<StatusEvent[]>
  riderLocation?(ref: CarrierOrderRef): Promise<RiderLocation>
  verifyWebhook?(request: RawWebhookRequest): Promise<NormalizedEvent[]>
  proofOfDelivery?(ref: CarrierOrderRef): Promise<ProofOfDelivery>
}

/** The subset of a Fetch `RequestInit` the host proxies. Bodies are text (JSON or form). */
export interface HostFetchInit {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  headers?: Record<string, string>
  body?: string
  /** Lower than the host's ceiling to fail faster; the host caps it anyway. */
  timeoutMs?: number
}

export interface HostFetchResponse {
  status: number
  ok: boolean
  /** Lower-cased header names. */
  headers: Record<string, string>
  text(): Promise<string>
  json<T = unknown>(): Promise<T>
}

/**
 * The only way a plugin reaches the network. The host checks the URL against the
 * manifest's `egress` list and applies a timeout; a refused host rejects the call.
 */
export type HostFetch = (url: string, init?: HostFetchInit) => Promise<HostFetchResponse>

export interface PluginLogger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

export interface PluginClock {
  now(): Date
}

/** Randomness a plugin needs for signatures; deterministic under the conformance kit. */
export interface PluginRandom {
  /** A random [0-9a-z] string of the given length (default 16). */
  nonce(length?: number): string
}

export interface PluginContext<Config = Record<string, unknown>> {
  /** The carrier account's settings: validated against `configSchema`, secrets decrypted. */
  config: Config
  accountId: string
  fetch: HostFetch
  clock: PluginClock
  random: PluginRandom
  logger: PluginLogger
}

export interface PluginDefinition<Config = Record<string, unknown>> {
  /** Brand the host checks; set by definePlugin. */
  readonly kind: 'courier-hub.carrier-plugin'
  readonly contractVersion: string
  /** Optional copy of the manifest, for tools that run the plugin without its package. */
  readonly manifest?: Manifest
  readonly statusMap: StatusMap
  /**
   * Builds the carrier adapter for one account. Called once per account (and again
   * when its config changes); it must not do I/O: capture ctx and return the methods.
   */
  create(ctx: PluginContext<Config>): CarrierMethods
}

export type { StatusMap, UnifiedStatus }
