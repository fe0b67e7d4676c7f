/**
 * The cancellation test of carriers that preview their fee (SF, Shansong, UU): free
 * before acceptance, the previewed fee after it, a cancellation callback, and no
 * second preview once cancelled.
 */
import { test } from '@japa/runner'
import type { NormalizedEvent } from '#sdk/contract'
import type { CarrierE2eHarness } from '#tests/functional/carriers/support/carrier_e2e_harness'

export interface CancelAfterAcceptanceTest {
  title: string
  accountId: string
  orderId: string
  /** A piece of the cancellation callback's body, to wait for it. */
  cancelledMarker: string
  /** What the last verified event must include. */
  lastEvent: Partial<NormalizedEvent>
  /** The carrier's code refusing a preview of a cancelled order. */
  refusedCode: string
}

export function defineCancelAfterAcceptanceTest(
  e2e: CarrierE2eHarness,
  spec: CancelAfterAcceptanceTest
) {
  test(spec.title, async ({ assert }) => {
    e2e.sandbox.control.setClock({ speed: 0 })
    const { acct, created, ref } = await e2e.place(spec.accountId, spec.orderId)
    assert.deepEqual(await e2e.call('preCancel', [ref], acct), { feeFen: 0 })
    await e2e.untilAccepted(created.carrierOrderId)
    const preview = await e2e.call('preCancel', [ref], acct)
    assert.isAbove(preview.feeFen, 0)
    const cancelled = await e2e.call('cancel', [ref, 'customer_cancelled'], acct)
    assert.deepEqual(cancelled, preview)
    await e2e.receiver.waitFor(() =>
      e2e.callbacksFor(acct.id).some((callback) => callback.body.includes(spec.cancelledMarker))
    )
    const events = await e2e.verified(acct)
    const last = events.at(-1)!
    assert.deepInclude(last, spec.lastEvent)
    const again = await e2e.call('preCancel', [ref], acct).catch((error: Error) => error)
    assert.deepInclude(again, { name: 'RejectedError', code: spec.refusedCode })
  })
}
