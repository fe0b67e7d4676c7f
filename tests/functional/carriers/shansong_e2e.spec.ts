/**
 * End to end: the real Shansong plugin, packed and installed, running in the hub's
 * sandboxed worker host, talking to the carrier sandbox's Shansong emulator over HTTP.
 * Shansong posts form-encoded, signed callbacks to the URL set on the account; a local
 * receiver stands in for the hub and the plugin verifies them through the host.
 */
import { test } from '@japa/runner'
import shansongEmulator, { SHANSONG_SANDBOX_ACCOUNT } from '#sandbox/carriers/shansong'
import { assertOnHubClock } from '#tests/functional/carriers/support/hub_clock'
import { carrierE2eHarness } from '#tests/functional/carriers/support/carrier_e2e_harness'
import { defineCancelAfterAcceptanceTest } from '#tests/functional/carriers/support/cancel_after_acceptance_test'
import { defineForgedCallbacksTest } from '#tests/functional/carriers/support/forged_callbacks_test'
import { defineDuplicateCallbackTest } from '#tests/functional/carriers/support/duplicate_callback_tests'

const CARRIER = 'shansong'

/** What Shansong posts for each planned state, and the unified status the plugin maps it to. */
const SHANSONG_PUSH: Record<string, string | null> = {
  waiting: '20:dispatching',
  accepted: '30:accepted',
  arrived: null,
  picked_up: '40:picked_up',
  delivering: null,
  delivered: '50:delivered',
  cancelled: '60:cancelled',
}

/** The callbacks Shansong posts for a delivery's plan, the placed order's first. */
const pushesFor = (plan: { state: string }[]) =>
  ['waiting', ...plan.map((step) => step.state)]
    .map((state) => SHANSONG_PUSH[state])
    .filter((push) => push !== null)

test.group('Carriers | shansong plugin against the sandbox', (group) => {
  const e2e = carrierE2eHarness(group, {
    carrier: CARRIER,
    pluginDir: new URL('../../../plugins/shansong/', import.meta.url),
    emulator: shansongEmulator,
    /** Shansong's callbacks go to the URL set on the account: pointed at this hub account. */
    account(
      { sandbox, receiver },
      id,
      appSecret = SHANSONG_SANDBOX_ACCOUNT.credentials.app_secret
    ) {
      sandbox.control.setAccount(CARRIER, SHANSONG_SANDBOX_ACCOUNT.accountKey, {
        callbackUrl: `${receiver.url}/api/v1/webhooks/${id}`,
      })
      return {
        id,
        config: {
          baseUrl: `${sandbox.url}/${CARRIER}`,
          clientId: SHANSONG_SANDBOX_ACCOUNT.accountKey,
          shopId: SHANSONG_SANDBOX_ACCOUNT.credentials.shop_id,
          appSecret,
        },
      }
    },
  })

  test('orderCalculate → orderPlace → signed callbacks verified by the plugin → delivered', async ({
    assert,
  }) => {
    const { acct, quote, created, ref } = await e2e.place('acct-ss-happy', 'ord_ss_e2e_1')
    assert.isAbove(quote.feeFen, 0)
    assert.match(quote.quoteToken, /^Q[0-9a-f]{16}$/)
    assert.isAbove(quote.dropoffEtaS, quote.pickupEtaS)
    assert.deepEqual(created, { carrierOrderId: quote.quoteToken, feeFen: quote.feeFen })
    await e2e.sandbox.control.settled()

    // Shansong posts 20 for the placed order and has no code for "at the store" or
    // "on the way"; a rider dropping the order shows as 20 again.
    const expected = pushesFor(e2e.delivery(created.carrierOrderId)!.plan)
    const events = await e2e.verified(acct)
    assertOnHubClock(assert, events)
    assert.deepEqual(
      events.map((event) => `${event.carrierStatus}:${event.status}`),
      expected
    )
    assert.equal(expected.at(-1), '50:delivered')
    const delivery = e2e.delivery(created.carrierOrderId)!
    assert.equal(delivery.extra.thirdOrderNo, 'ord_ss_e2e_1')
    assert.isTrue(events.every((event) => event.carrierOrderId === created.carrierOrderId))
    assert.exists(events.find((event) => event.status === 'accepted')?.rider?.name)
    const track = await e2e.call('track', [ref], acct)
    assert.deepEqual(
      track.map((event) => `${event.carrierStatus}:${event.status}`),
      expected
    )
    // The courier's position travels as BD-09 and comes back within a metre.
    const position = await e2e.call('riderLocation', [ref], acct)
    assert.closeTo(position.lat, e2e.baseOrder.recipient.lat, 1e-5)
    assert.closeTo(position.lng, e2e.baseOrder.recipient.lng, 1e-5)
  })

  defineCancelAfterAcceptanceTest(e2e, {
    title: 'abortOrder after acceptance returns the deduction Shansong previewed',
    accountId: 'acct-ss-cancel',
    orderId: 'ord_ss_e2e_cancel',
    cancelledMarker: '%22status%22%3A60',
    // abortOrder carries no reason, so the note is Shansong's own.
    lastEvent: { carrierStatus: '60', status: 'cancelled', note: '商家取消' },
    refusedCode: '30003',
  })

  test('additions raise the fee at Shansong in whole yuan', async ({ assert }) => {
    e2e.sandbox.control.setClock({ speed: 0 })
    const { acct, created, ref } = await e2e.place('acct-ss-tip', 'ord_ss_e2e_tip')
    assert.isNull(await e2e.call('addTip', [ref, 300], acct))
    assert.isNull(await e2e.call('addTip', [ref, 200], acct))
    const odd = await e2e.call('addTip', [ref, 250], acct).catch((e) => e)
    assert.deepInclude(odd, { name: 'InvalidRequestError', code: 'addition_amount' })
    assert.equal(e2e.delivery(created.carrierOrderId)!.tipFen, 500)
  })

  defineForgedCallbacksTest(e2e, {
    title: 'forged callbacks and a wrong app secret are refused',
    accountId: 'acct-ss-forged',
    orderId: 'ord_ss_e2e_forged',
    expectedCallbacks: (plan) => pushesFor(plan).length,
    wrongSecret: {
      accountId: 'acct-ss-wrong-secret',
      secret: 'not-the-sandbox-secret',
      orderId: 'ord_ss_e2e_x',
      code: '401',
    },
  })

  defineDuplicateCallbackTest(e2e, { accountId: 'acct-ss-dup', orderId: 'ord_ss_e2e_dup' })
})
