/**
 * The EmulatorContext every emulator gets: the core's services in the contract's
 * shape. Emulators translate wire formats; everything stateful happens here.
 */
import type { SandboxCore } from '#sandbox/core'
import type { DeliveryRecord } from '#sandbox/deliveries/delivery_store'
import { TERMINAL_STATES } from '#sandbox/deliveries/lifecycle_runner'
import {
  DeliveryStateError,
  type EmulatorContext,
  type MarketQuote,
  type SandboxDelivery,
} from '#sandbox/emulator'
import { seededDigits } from '#sandbox/random'

export function createEmulatorContext(core: SandboxCore): EmulatorContext {
  const recordOf = (delivery: SandboxDelivery): DeliveryRecord => {
    const record = core.deliveries.recordOf(delivery)
    if (!record) throw new Error(`Unknown delivery ${delivery.carrier}/${delivery.carrierOrderId}`)
    return record
  }

  /** Carrier-looking numeric ids, deterministic per order; a suffix settles the rare clash. */
  const newCarrierOrderId = (carrier: string, clientOrderId: string): string => {
    for (let attempt = 0; attempt < 100; attempt++) {
      const id = seededDigits(core.seed, 16, 'carrier-order-id', carrier, clientOrderId, attempt)
      if (!core.deliveries.hasId(carrier, id)) return id
    }
    throw new Error(`Could not find a free delivery id for ${carrier}/${clientOrderId}`)
  }

  return {
    now: () => core.clock.now(),
    wallNow: () => core.clock.wallNow(),
    account: (carrier, accountKey) => core.accounts.get(carrier, accountKey),

    quote(input): MarketQuote {
      const price = core.market.quote(input)
      const tally = core.recorder.tally(input.carrier).quotes
      if (!price.ok) {
        tally[price.reason]++
        return { ok: false, reason: price.reason }
      }
      tally.ok++
      const issued = core.quotes.issue(input, price, core.clock.wallNow())
      return {
        ok: true,
        feeFen: issued.feeFen,
        distanceM: issued.distanceM,
        pickupEtaS: issued.pickupEtaS,
        dropoffEtaS: issued.dropoffEtaS,
        token: issued.token,
        expiresAt: issued.expiresAt,
      }
    },

    redeemQuote: (carrier, token) => core.quotes.redeem(carrier, token, core.clock.wallNow()),

    createDelivery(input) {
      const tally = core.recorder.tally(input.carrier).deliveries
      const existing = core.deliveries.byClientOrderId(input.carrier, input.clientOrderId)
      if (existing) {
        tally.idempotentReplays++
        return { delivery: existing.delivery, created: false }
      }
      const quoted = core.quotes.peek(input.carrier, input.quoteToken)
      const city = input.city ?? quoted?.input.city ?? 'unknown'
      const now = core.clock.now()
      const delivery: SandboxDelivery = {
        carrier: input.carrier,
        carrierOrderId:
          input.carrierOrderId ?? newCarrierOrderId(input.carrier, input.clientOrderId),
        clientOrderId: input.clientOrderId,
        accountKey: input.accountKey,
        quoteToken: input.quoteToken,
        feeFen: input.feeFen,
        tipFen: 0,
        state: 'waiting',
        rider: null,
        from: { lat: input.from.lat, lng: input.from.lng },
        to: { lat: input.to.lat, lng: input.to.lng },
        createdAt: now,
        history: [{ state: 'waiting', at: now, rider: null }],
        extra: { ...input.extra },
        city,
      }
      const record: DeliveryRecord = {
        delivery,
        conditions: core.market.conditions(input.carrier, city, now),
        plan: [],
        planStartMs: now.getTime(),
        nextStep: 0,
        generation: 0,
        replans: 0,
        ridersUsed: 0,
        eventSeq: 0,
        lastPushMs: 0,
        leg: null,
      }
      core.deliveries.add(record)
      tally.created++
      core.runner.start(record)
      return { delivery, created: true }
    },

    findDelivery: (carrier, id) => core.deliveries.find(carrier, id)?.delivery,

    cancellationFeeFen: (delivery) =>
      core.market.cancellationFeeFen(delivery.carrier, delivery.state, delivery.feeFen),

    cancelDelivery(delivery, reason) {
      if (delivery.state === 'cancelled') return { feeFen: delivery.cancellation?.feeFen ?? 0 }
      if (delivery.state === 'delivered') throw new DeliveryStateError(delivery.state, 'cancel')
      const feeFen = core.market.cancellationFeeFen(
        delivery.carrier,
        delivery.state,
        delivery.feeFen
      )
      core.runner.cancel(recordOf(delivery), reason, feeFen)
      return { feeFen }
    },

    addTip(delivery, amountFen) {
      if (TERMINAL_STATES.includes(delivery.state))
        throw new DeliveryStateError(delivery.state, 'add a tip')
      if (!Number.isInteger(amountFen) || amountFen <= 0) {
        throw new RangeError('A tip must be a positive whole number of fen')
      }
      core.runner.tip(recordOf(delivery), amountFen)
    },

    riderPosition: (delivery) => core.runner.riderPosition(recordOf(delivery)),
  }
}
