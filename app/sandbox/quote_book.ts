/**
 * Quote tokens handed out by the market (Dada deliveryNo, Shansong issOrderNo,
 * own-fleet quote_id). They expire on the wall clock, not the sandbox clock: the hub
 * compares a quote's expiry with its own clock, and a sped-up sandbox would otherwise
 * expire every quote before the hub could place the order.
 */
import type { MarketQuote, MarketQuoteInput } from '#sandbox/emulator'
import { orderKeyOf } from '#sandbox/market/market'
import { seededHex } from '#sandbox/random'

export type IssuedQuote = MarketQuote & { ok: true; input: MarketQuoteInput }

/** Expired tokens are swept after this many new ones, so the book stays small in long runs. */
const SWEEP_EVERY = 1_000

export class QuoteBook {
  readonly #seed: number
  readonly #ttlMs: number
  #quotes = new Map<string, IssuedQuote>()
  #sinceSweep = 0

  constructor(options: { seed: number; ttlMs: number }) {
    this.#seed = options.seed
    this.#ttlMs = options.ttlMs
  }

  get size(): number {
    return this.#quotes.size
  }

  issue(
    input: MarketQuoteInput,
    price: { feeFen: number; distanceM: number; pickupEtaS: number; dropoffEtaS: number },
    wallNow: Date
  ): IssuedQuote {
    // Same order, same carrier, same sandbox minute → same token (a re-quote is idempotent).
    const minute = Math.floor(input.at.getTime() / 60_000)
    const token = `Q${seededHex(this.#seed, 16, 'quote-token', input.carrier, orderKeyOf(input), minute)}`
    const issued: IssuedQuote = {
      ok: true,
      ...price,
      token,
      expiresAt: new Date(wallNow.getTime() + this.#ttlMs),
      input,
    }
    this.#quotes.set(this.#key(input.carrier, token), issued)
    if (++this.#sinceSweep >= SWEEP_EVERY) this.#sweep(wallNow)
    return issued
  }

  /** The quote behind a token, or undefined when unknown, another carrier's, or expired. */
  redeem(carrier: string, token: string, wallNow: Date): IssuedQuote | undefined {
    const issued = this.#quotes.get(this.#key(carrier, token))
    if (!issued || issued.expiresAt.getTime() <= wallNow.getTime()) return undefined
    return issued
  }

  /** Like redeem, ignoring expiry: what a delivery was quoted with, for records. */
  peek(carrier: string, token: string): IssuedQuote | undefined {
    return this.#quotes.get(this.#key(carrier, token))
  }

  clear(): void {
    this.#quotes.clear()
    this.#sinceSweep = 0
  }

  #key(carrier: string, token: string): string {
    return `${carrier}\u0000${token}`
  }

  #sweep(wallNow: Date): void {
    this.#sinceSweep = 0
    for (const [key, issued] of this.#quotes) {
      if (issued.expiresAt.getTime() <= wallNow.getTime()) this.#quotes.delete(key)
    }
  }
}
