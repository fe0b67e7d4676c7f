/**
 * The test every carrier runs against duplicated callbacks (the sandbox sends each
 * one twice): both copies must verify to the same event id, so the hub can drop
 * the second. Two forms, depending on how the carrier's callbacks find the hub.
 */
import { test } from '@japa/runner'
import type { ReceivedCallback } from '#tests/functional/sandbox/support/callback_receiver'
import type { CarrierE2eHarness } from '#tests/functional/carriers/support/carrier_e2e_harness'

const TITLE = 'a duplicated callback carries the same event id'

export interface DuplicateCallbackTest {
  accountId: string
  orderId: string
}

/** Callbacks on the account's own path: the two copies of each are verified side by side. */
export function defineDuplicateCallbackTest(e2e: CarrierE2eHarness, spec: DuplicateCallbackTest) {
  test(TITLE, async ({ assert }) => {
    e2e.sandbox.control.setFaults(e2e.carrier, { duplicateRate: 1 })
    const { acct } = await e2e.place(spec.accountId, spec.orderId)
    await e2e.sandbox.control.settled()
    const copies = new Map<string, ReceivedCallback[]>()
    for (const callback of e2e.callbacksFor(acct.id))
      copies.set(callback.path + callback.body, [
        ...(copies.get(callback.path + callback.body) ?? []),
        callback,
      ])
    assert.isAbove(copies.size, 2)
    for (const [first, second] of copies.values()) {
      assert.exists(second, 'every callback arrived twice')
      const [one] = await e2e.host.verifyWebhook(e2e.carrier, acct, e2e.asWebhook(first))
      const [two] = await e2e.host.verifyWebhook(e2e.carrier, acct, e2e.asWebhook(second))
      assert.equal(one.eventId, two.eventId)
    }
    const events = await e2e.verified(acct)
    const ids = events.map((event) => event.eventId)
    assert.equal(new Set(ids).size, copies.size, 'distinct callbacks have distinct ids')
  })
}

/**
 * Callbacks on the one URL of the app: they are told apart by order only once
 * verified, so each event id of the order must come exactly twice.
 */
export function defineDuplicateEventIdTest(e2e: CarrierE2eHarness, spec: DuplicateCallbackTest) {
  test(TITLE, async ({ assert }) => {
    e2e.sandbox.control.setFaults(e2e.carrier, { duplicateRate: 1 })
    const { acct, created } = await e2e.place(spec.accountId, spec.orderId)
    await e2e.sandbox.control.settled()
    const events = await e2e.verified(acct, created.carrierOrderId)
    const counts = new Map<string, number>()
    for (const event of events) counts.set(event.eventId, (counts.get(event.eventId) ?? 0) + 1)
    assert.isAbove(counts.size, 2)
    assert.isTrue(
      [...counts.values()].every((count) => count === 2),
      'every event arrived twice under one id'
    )
  })
}
