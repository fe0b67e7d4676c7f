import type { OrderFacts, QuoteInput } from '#dispatch/types'

/*
 * Live quotes for dry runs (`quotes: "live"`). Quoting lives in the dispatch
 * pipeline, which registers a provider at boot; until one is registered a dry run
 * must be given its quotes, and asking for live ones is a 422 naming `/quotes`.
 */

export interface QuoteProvider {
  /** Quotes every eligible carrier account of the merchant for these facts. */
  quotesFor(facts: OrderFacts): Promise<QuoteInput[]>
}

let registered: QuoteProvider | null = null

/** Pass null to unregister (tests). */
export function registerQuoteProvider(provider: QuoteProvider | null) {
  registered = provider
}

export function quoteProvider(): QuoteProvider | null {
  return registered
}
