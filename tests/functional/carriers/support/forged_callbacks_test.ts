/**
 * The test every carrier runs against forged callbacks: with every callback's
 * signature broken by the sandbox, the plugin refuses each one, and an account with
 * the wrong signing secret gets its quotes refused too.
 */
import { test } from '@japa/runner'
import type { CarrierE2eHarness } from '#tests/functional/carriers/support/carrier_e2e_harness'

export interface ForgedCallbacksTest {
  title: string
  accountId: string
  orderId: string
  /**
   * How many callbacks the delivery's plan makes. Specs that leave it out expect
   * more than two, however many the plan makes.
   */
  expectedCallbacks?: (plan: { state: string }[]) => number
  /** The account with the wrong secret, the order it quotes, and the code the carrier answers. */
  wrongSecret: { accountId: string; secret: string; orderId: string; code: string }
}

export function defineForgedCallbacksTest(e2e: CarrierE2eHarness, spec: ForgedCallbacksTest) {
  test(spec.title, async ({ assert }) => {
    e2e.sandbox.control.setFaults(e2e.carrier, { badSignatureRate: 1 })
    const { acct, created } = await e2e.place(spec.accountId, spec.orderId)
    await e2e.sandbox.control.settled()
    const callbacks = e2e.callbacksFor(acct.id)
    if (spec.expectedCallbacks) {
      const plan = e2e.delivery(created.carrierOrderId)!.plan
      assert.lengthOf(callbacks, spec.expectedCallbacks(plan))
      assert.isAtLeast(callbacks.length, 2)
    } else {
      assert.isAbove(callbacks.length, 2)
    }
    for (const callback of callbacks) {
      const refused = await e2e.host
        .verifyWebhook(e2e.carrier, acct, e2e.asWebhook(callback))
        .catch((error: Error) => error)
      assert.deepInclude(refused, { name: 'AuthError', code: 'bad_signature' })
    }
    const { wrongSecret } = spec
    const wrong = e2e.account(wrongSecret.accountId, wrongSecret.secret)
    const failure = await e2e.refusedQuote(wrong, wrongSecret.orderId)
    assert.deepEqual([failure.name, failure.code], ['AuthError', wrongSecret.code])
  })
}
