/**
 * Just enough market for one emulator: fixed prices, quotes remembered, deliveries
 * moved by hand. The real sandbox core would price, schedule and move deliveries on
 * its own clock; these specs want every state change under the test's control.
 */
import {
  DeliveryStateError,
  type CarrierEmulator,
  type EmulatorContext,
  type MarketQuote,
  type MarketQuoteInput,
  type SandboxAccount,
  type SandboxDelivery,
  type SandboxDeliveryState,
} from '#sandbox/emulator'

/** The sandbox clock and the wall clock alike: the emulators see one fixed instant. */
export const NOW = new Date('2025-01-01T08:00:00.000Z')

/** What every quote answers (in hub units). */
export interface MarketPrice {
  feeFen: number
  distanceM: number
  pickupEtaS: number
  dropoffEtaS: number
}

/** Moves a delivery to a state by hand, recording it in the history as the core would. */
export type MoveDelivery = (
  delivery: SandboxDelivery,
  state: SandboxDeliveryState,
  at?: Date
) => void

export interface FakeMarketSetup {
  emulator: CarrierEmulator
  /** Where the sandbox account's callbacks go (null: the carrier sends them per order). */
  callbackUrl: string | null
  price: MarketPrice
  /** The spec's own mover, which a merchant cancellation goes through too. */
  move: MoveDelivery
  /** Ids for deliveries the emulator does not name itself: this prefix, then 1, 2... */
  deliveryIdPrefix?: string
  /**
   * Whether the context has a wall clock. The core always has one; without it the
   * emulators fall back to the real time, which some specs were written against.
   */
  wallClock?: boolean
}

export interface FakeMarketOptions {
  quoteFails?: 'no_capacity' | 'out_of_range'
}

export interface FakeMarket {
  ctx: EmulatorContext
  account: SandboxAccount
  /** Every quote asked for, in hub units. */
  quotes: MarketQuoteInput[]
  deliveries: SandboxDelivery[]
}

/** A market factory for one emulator; each call is a fresh market. */
export function marketFor(setup: FakeMarketSetup) {
  return (options: FakeMarketOptions = {}) => fakeMarket(setup, options)
}

function fakeMarket(setup: FakeMarketSetup, options: FakeMarketOptions): FakeMarket {
  const { emulator, move, price } = setup
  const quotes: MarketQuoteInput[] = []
  const issued = new Map<string, MarketQuote & { ok: true; input: MarketQuoteInput }>()
  const deliveries: SandboxDelivery[] = []
  const account: SandboxAccount = {
    carrier: emulator.carrier,
    ...emulator.defaultAccount!(),
    callbackUrl: setup.callbackUrl,
  }
  const ctx: EmulatorContext = {
    now: () => NOW,
    ...(setup.wallClock ? { wallNow: () => NOW } : {}),
    account: (carrier, key) =>
      carrier === account.carrier && key === account.accountKey ? account : undefined,
    quote(input) {
      quotes.push(input)
      if (options.quoteFails) return { ok: false, reason: options.quoteFails }
      const quote = {
        ok: true as const,
        ...price,
        token: `Q${quotes.length}`,
        expiresAt: new Date(NOW.getTime() + 600_000),
      }
      issued.set(quote.token, { ...quote, input })
      return quote
    },
    redeemQuote: (_carrier, token) => issued.get(token),
    createDelivery(input) {
      const existing = deliveries.find((d) => d.clientOrderId === input.clientOrderId)
      if (existing) return { delivery: existing, created: false }
      const delivery: SandboxDelivery = {
        ...input,
        carrierOrderId:
          input.carrierOrderId ??
          `${setup.deliveryIdPrefix ?? '30000000000'}${deliveries.length + 1}`,
        tipFen: 0,
        state: 'waiting',
        rider: null,
        createdAt: NOW,
        history: [{ state: 'waiting', at: NOW }],
        extra: { ...input.extra },
      }
      deliveries.push(delivery)
      return { delivery, created: true }
    },
    findDelivery: (_carrier, id) =>
      deliveries.find((d) => d.carrierOrderId === id || d.clientOrderId === id),
    cancellationFeeFen: (d) => (d.state === 'waiting' ? 0 : 200),
    cancelDelivery(d, reason) {
      if (d.state === 'delivered') throw new DeliveryStateError(d.state, 'cancel')
      const feeFen = d.state === 'waiting' ? 0 : 200
      move(d, 'cancelled')
      d.cancellation = { by: 'merchant', reason, feeFen, at: NOW }
      return { feeFen }
    },
    addTip(d, amountFen) {
      if (d.state === 'delivered' || d.state === 'cancelled')
        throw new DeliveryStateError(d.state, 'tip')
      d.tipFen += amountFen
    },
    riderPosition: (d) => (d.rider ? { lat: d.rider.lat, lng: d.rider.lng, at: NOW } : null),
  }
  return { ctx, account, quotes, deliveries }
}
