/**
 * End to end: the real SF Same-city plugin, packed and installed, running in the hub's
 * sandboxed worker host, talking to the carrier sandbox's SF emulator over HTTP.
 * SF posts callbacks to the URL configured on the developer account, with `?sign=`;
 * a local receiver stands in for the hub and the plugin verifies them through the host.
 */
import { test } from '@japa/runner'
import sfEmulator, { SF_SANDBOX_ACCOUNT } from '#sandbox/carriers/sf_same_city'
import { assertOnHubClock } from '#tests/functional/carriers/support/hub_clock'
import { carrierE2eHarness } from '#tests/functional/carriers/support/carrier_e2e_harness'
import { defineCancelAfterAcceptanceTest } from '#tests/functional/carriers/support/cancel_after_acceptance_test'
import { defineForgedCallbacksTest } from '#tests/functional/carriers/support/forged_callbacks_test'
import { defineDuplicateCallbackTest } from '#tests/functional/carriers/support/duplicate_callback_tests'

const CARRIER = 'sf_same_city'

/** What SF posts for each planned state, and the unified status the plugin maps it to. */
const SF_PUSH: Record<string, string | null> = {
  accepted: '10:accepted',
  arrived: '12:arrived_at_store',
  picked_up: '15:picked_up',
  delivering: null,
  delivered: '17:delivered',
  cancelled: '2:cancelled',
  waiting: '22:dispatching',
}

/** The callbacks SF posts for a delivery's plan. */
const pushesFor = (plan: { state: string }[]) =>
  plan.map((step) => SF_PUSH[step.state]).filter((push) => push !== null)

test.group('Carriers | sf_same_city plugin against the sandbox', (group) => {
  const e2e = carrierE2eHarness(group, {
    carrier: CARRIER,
    pluginDir: new URL('../../../plugins/sf_same_city/', import.meta.url),
    emulator: sfEmulator,
    signsInQuery: true,
    /** SF's callbacks go to the URL on the developer account: pointed at this hub account. */
    account({ sandbox, receiver }, id, devKey = SF_SANDBOX_ACCOUNT.credentials.dev_key) {
      sandbox.control.setAccount(CARRIER, SF_SANDBOX_ACCOUNT.accountKey, {
        callbackUrl: `${receiver.url}/api/v1/webhooks/${id}`,
      })
      return {
        id,
        config: {
          baseUrl: `${sandbox.url}/${CARRIER}`,
          devId: SF_SANDBOX_ACCOUNT.accountKey,
          devKey,
          shopId: SF_SANDBOX_ACCOUNT.credentials.shop_id,
        },
      }
    },
  })

  test('precreateorder → createorder → signed callbacks verified by the plugin → delivered', async ({
    assert,
  }) => {
    const { acct, quote, created, ref } = await e2e.place('acct-sf-happy', 'ord_sf_e2e_1')
    assert.isAbove(quote.feeFen, 0)
    assert.equal(quote.quoteToken, '')
    assert.isAbove(quote.dropoffEtaS, quote.pickupEtaS)
    assert.isAbove(quote.distanceM, 0)
    assert.match(created.carrierOrderId, /^\d{16}$/)
    assert.isAbove(created.feeFen!, 0)
    await e2e.sandbox.control.settled()

    // SF announces no fresh order and has no push for "on the way"; a rider dropping the
    // order shows as 22 before the next acceptance.
    const expected = pushesFor(e2e.delivery(created.carrierOrderId)!.plan)
    const events = await e2e.verified(acct)
    assertOnHubClock(assert, events)
    assert.deepEqual(
      events.map((event) => `${event.carrierStatus}:${event.status}`),
      expected
    )
    assert.equal(expected.at(-1), '17:delivered')
    assert.isTrue(events.every((event) => event.carrierOrderId === created.carrierOrderId))
    assert.exists(events.find((event) => event.status === 'accepted')?.rider?.name)
    const [track] = await e2e.call('track', [ref], acct)
    assert.deepInclude(track, { carrierStatus: '17', status: 'delivered' })
    const position = await e2e.call('riderLocation', [ref], acct)
    assert.closeTo(position.lat, e2e.baseOrder.recipient.lat, 1e-6)
    assert.closeTo(position.lng, e2e.baseOrder.recipient.lng, 1e-6)
  })

  defineCancelAfterAcceptanceTest(e2e, {
    title: 'cancel after acceptance returns the deduction SF previewed',
    accountId: 'acct-sf-cancel',
    orderId: 'ord_sf_e2e_cancel',
    cancelledMarker: '"order_status":2',
    lastEvent: { carrierStatus: '2', status: 'cancelled', note: 'customer_cancelled' },
    refusedCode: '2004',
  })

  test('a gratuity raises the delivery’s fee at SF', async ({ assert }) => {
    e2e.sandbox.control.setClock({ speed: 0 })
    const { acct, created, ref } = await e2e.place('acct-sf-tip', 'ord_sf_e2e_tip')
    assert.isNull(await e2e.call('addTip', [ref, 300], acct))
    assert.isNull(await e2e.call('addTip', [ref, 200], acct))
    assert.equal(e2e.delivery(created.carrierOrderId)!.tipFen, 500)
  })

  defineForgedCallbacksTest(e2e, {
    title: 'forged callbacks and a wrong dev_key are refused',
    accountId: 'acct-sf-forged',
    orderId: 'ord_sf_e2e_forged',
    expectedCallbacks: (plan) => pushesFor(plan).length,
    wrongSecret: {
      accountId: 'acct-sf-wrong-key',
      secret: 'not-the-sandbox-dev-key',
      orderId: 'ord_sf_e2e_x',
      code: '1002',
    },
  })

  defineDuplicateCallbackTest(e2e, { accountId: 'acct-sf-dup', orderId: 'ord_sf_e2e_dup' })
})
