/**
 * The contract between the carrier sandbox's core (market, deliveries, faults,
 * callback delivery; app/sandbox/*) and one emulated carrier
 * (app/sandbox/carriers/<id>.ts). An emulator speaks its carrier's wire format:
 * it verifies request signatures exactly as the real carrier would, maps requests
 * onto the shared market, and signs status callbacks the way the carrier does.
 */

/** A request as the sandbox's HTTP server hands it to an emulator. */
export interface SandboxRequest {
  method: string
  /** Path below the carrier's prefix, e.g. `/api/order/queryDeliverFee`. */
  path: string
  query: Record<string, string>
  headers: Record<string, string>
  /** The raw body exactly as received (signatures are computed over it). */
  rawBody: string
}

export interface SandboxResponse {
  status: number
  headers?: Record<string, string>
  body: string
}

/** What a quote request asks, in hub units (the emulator converts from the carrier's). */
export interface MarketQuoteInput {
  carrier: string
  city: string
  /** GCJ-02 */
  from: { lat: number; lng: number }
  to: { lat: number; lng: number }
  weightG: number
  /** When the price applies (the sandbox clock). */
  at: Date
  /**
   * The order number the carrier sees (Dada origin_id, Meituan delivery_id, own-fleet
   * order_no...). Keys the market's seeded randomness, so the same order gets the same
   * price and the same capacity verdict whatever the request order. When omitted the
   * key is derived from the coordinates and weight. (Added by the sandbox core.)
   */
  orderKey?: string
}

export type MarketQuote =
  | {
      ok: true
      feeFen: number
      distanceM: number
      pickupEtaS: number
      dropoffEtaS: number
      /** Opaque token the emulator returns to the plugin; valid until expiresAt. */
      token: string
      /**
       * On the wall clock (not the sandbox clock): the hub checks a quote's expiry
       * against its own clock, and a sped-up sandbox would otherwise expire every quote.
       */
      expiresAt: Date
    }
  /** No riders near the store (capacity ran out at peak or in heavy rain). */
  | { ok: false; reason: 'no_capacity' | 'out_of_range' }

export type SandboxDeliveryState =
  'waiting' | 'accepted' | 'arrived' | 'picked_up' | 'delivering' | 'delivered' | 'cancelled'

export interface SandboxRider {
  id: string
  name: string
  phone: string
  lat: number
  lng: number
}

export interface SandboxDelivery {
  carrier: string
  /** The id the emulated carrier gave this delivery. */
  carrierOrderId: string
  /** The merchant/hub order number the plugin sent (the carrier's retry key). */
  clientOrderId: string
  /** Which sandbox account (credential set) created it. */
  accountKey: string
  quoteToken: string
  feeFen: number
  tipFen: number
  state: SandboxDeliveryState
  rider: SandboxRider | null
  from: { lat: number; lng: number }
  to: { lat: number; lng: number }
  createdAt: Date
  /**
   * Every state change, in order. A rider cancelling after acceptance makes the
   * carrier re-dispatch, so `waiting`/`accepted` can repeat. `rider` is who held the
   * order at that moment (with the position then), `note` the carrier's remark
   * (cancel reason...). (rider/note added by the sandbox core.)
   */
  history: SandboxHistoryEntry[]
  /** Carrier-specific extras an emulator wants to keep (e.g. the callback URL Dada sends). */
  extra: Record<string, unknown>
  /** City of the store, as quoted. (Added by the sandbox core.) */
  city?: string
  /** Set once cancelled: by whom, why, and the fee charged. (Added by the sandbox core.) */
  cancellation?: {
    by: 'merchant' | 'carrier'
    reason: string
    feeFen: number
    at: Date
  }
}

export interface SandboxHistoryEntry {
  state: SandboxDeliveryState
  at: Date
  rider?: SandboxRider | null
  note?: string
}

/**
 * Thrown by `cancelDelivery`/`addTip` when the delivery's state forbids the action
 * (already delivered, tip on a cancelled order). Emulators answer it in the carrier's
 * own error format. (Added by the sandbox core.)
 */
export class DeliveryStateError extends Error {
  readonly code: 'already_delivered' | 'already_cancelled'
  readonly state: SandboxDeliveryState

  constructor(state: SandboxDeliveryState, action: string) {
    super(`Cannot ${action}: the delivery is ${state}`)
    this.name = 'DeliveryStateError'
    this.state = state
    this.code = state === 'delivered' ? 'already_delivered' : 'already_cancelled'
  }
}

/** A status callback ready to POST to the hub. */
export interface SignedCallback {
  url: string
  headers: Record<string, string>
  body: string
}

/** What the core offers every emulator. */
export interface EmulatorContext {
  /** Sandbox clock (may run faster than real time). */
  now(): Date
  /**
   * The real wall clock. Check request timestamps the hub signed (Meituan's ±10 min,
   * own-fleet's window) against this, not against `now()`, which runs ahead when the
   * sandbox is sped up. Optional only so older fake contexts still type-check; the
   * sandbox core always provides it. (Added by the sandbox core.)
   */
  wallNow?(): Date
  /** Expected credentials of a sandbox account, by carrier and account key (app_key, dev_id...). */
  account(carrier: string, accountKey: string): SandboxAccount | undefined
  quote(input: MarketQuoteInput): MarketQuote
  /** Looks up a quote token issued earlier (undefined when unknown or expired). */
  redeemQuote(
    carrier: string,
    token: string
  ): (MarketQuote & { ok: true; input: MarketQuoteInput }) | undefined
  /** Creates (idempotently on carrier + clientOrderId) and starts the delivery's life cycle. */
  createDelivery(input: {
    carrier: string
    accountKey: string
    clientOrderId: string
    quoteToken: string
    feeFen: number
    from: { lat: number; lng: number }
    to: { lat: number; lng: number }
    extra?: Record<string, unknown>
    /** Store city; taken from the redeemed quote when omitted. (Added by the sandbox core.) */
    city?: string
    /** The id to give the delivery, when the carrier has its own format; else the core makes one. */
    carrierOrderId?: string
  }): { delivery: SandboxDelivery; created: boolean }
  findDelivery(carrier: string, idOrClientOrderId: string): SandboxDelivery | undefined
  /** Cancellation fee the market charges in the delivery's current state, in fen. */
  cancellationFeeFen(delivery: SandboxDelivery): number
  /**
   * Cancels on the merchant's request. Cancelling twice is a no-op that returns the
   * first fee; a delivered order throws DeliveryStateError.
   */
  cancelDelivery(delivery: SandboxDelivery, reason: string): { feeFen: number }
  /** Raises the fee; while nobody has accepted it also makes acceptance likelier. Throws DeliveryStateError once finished. */
  addTip(delivery: SandboxDelivery, amountFen: number): void
  /** Current rider position (moves from store to customer). */
  riderPosition(delivery: SandboxDelivery): { lat: number; lng: number; at: Date } | null
}

export interface SandboxAccount {
  carrier: string
  /** The public credential the carrier identifies the caller by (app_key, dev_id, clientId, appid...). */
  accountKey: string
  /** All credential fields the carrier's signature needs (secret, shop ids, ...). */
  credentials: Record<string, string>
  /** Where this account's status callbacks go (the hub's /api/v1/webhooks/:account). */
  callbackUrl: string | null
}

export interface CarrierEmulator {
  /** Carrier id; requests under `/<carrier>/...` reach this emulator. */
  readonly carrier: string
  handle(
    request: SandboxRequest,
    context: EmulatorContext
  ): Promise<SandboxResponse> | SandboxResponse
  /**
   * The sandbox account registered at start, so plugins can be configured with
   * well-known credentials (e.g. Dada `{app_key: 'sandbox-dada-app-key', ...}`).
   * `accountKey` is the credential the carrier identifies callers by. (Added by the sandbox core.)
   */
  defaultAccount?(): { accountKey: string; credentials: Record<string, string> }
  /**
   * The carrier's own answer for an injected fault: `server_error` (the errorRate
   * knob) or `unavailable` (the outage knob, HTTP 503). The core falls back to a
   * generic JSON body when absent. (Added by the sandbox core.)
   */
  errorResponse?(kind: SandboxErrorKind, request: SandboxRequest): SandboxResponse
  /**
   * The callback the real carrier would send for this state change, signed with
   * the account's credentials. `forgeSignature` asks for a deliberately wrong
   * signature (fault injection).
   */
  callback(
    delivery: SandboxDelivery,
    account: SandboxAccount,
    at: Date,
    options: {
      eventSeq: number
      forgeSignature: boolean
      /**
       * Wall-clock send time: use it for timestamps the hub checks against its own
       * clock (own-fleet `t=`), while `at` is the sandbox time of the change.
       * (Added by the sandbox core; always set by it.)
       */
      sentAt?: Date
    }
  ): SignedCallback | null
}

export type SandboxErrorKind = 'server_error' | 'unavailable'
