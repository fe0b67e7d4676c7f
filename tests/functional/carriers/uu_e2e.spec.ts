/**
 * End to end: the real UU Paotui plugin, packed and installed, running in the hub's
 * sandboxed worker host, talking to the carrier sandbox's UU emulator over HTTP.
 * UU posts signed JSON callbacks to the callback_url sent with each order; a local
 * receiver stands in for the hub and the plugin verifies them through the host.
 */
import { test } from '@japa/runner'
import uuEmulator, { UU_SANDBOX_ACCOUNT } from '#sandbox/carriers/uu'
import { assertOnHubClock } from '#tests/functional/carriers/support/hub_clock'
import { carrierE2eHarness } from '#tests/functional/carriers/support/carrier_e2e_harness'
import { defineCancelAfterAcceptanceTest } from '#tests/functional/carriers/support/cancel_after_acceptance_test'
import { defineForgedCallbacksTest } from '#tests/functional/carriers/support/forged_callbacks_test'
import { defineDuplicateCallbackTest } from '#tests/functional/carriers/support/duplicate_callback_tests'

const CARRIER = 'uu'

/** What UU posts for each planned state, and the unified status the plugin maps it to. */
const UU_PUSH: Record<string, string> = {
  waiting: '1:dispatching',
  accepted: '3:accepted',
  arrived: '4:arrived_at_store',
  picked_up: '5:picked_up',
  delivering: '6:delivering',
  delivered: '10:delivered',
  cancelled: '-1:cancelled',
}

/** The callbacks UU posts for a delivery's plan, the placed order's first. */
const pushesFor = (plan: { state: string }[]) =>
  ['waiting', ...plan.map((step) => step.state)].map((state) => UU_PUSH[state])

test.group('Carriers | uu plugin against the sandbox', (group) => {
  const e2e = carrierE2eHarness(group, {
    carrier: CARRIER,
    pluginDir: new URL('../../../plugins/uu/', import.meta.url),
    emulator: uuEmulator,
    /** Its orders name this hub account's callback path. */
    account: ({ sandbox, receiver }, id, appKey = UU_SANDBOX_ACCOUNT.credentials.app_key) => ({
      id,
      config: {
        baseUrl: `${sandbox.url}/${CARRIER}`,
        appId: UU_SANDBOX_ACCOUNT.accountKey,
        appKey,
        openId: UU_SANDBOX_ACCOUNT.credentials.openid,
        callbackUrl: `${receiver.url}/api/v1/webhooks/${id}`,
      },
    }),
  })

  test('getorderprice → addorder → signed callbacks verified by the plugin → delivered', async ({
    assert,
  }) => {
    const { acct, quote, created, ref } = await e2e.place('acct-uu-happy', 'ord_uu_e2e_1')
    assert.isAbove(quote.feeFen, 0)
    assert.match(quote.quoteToken, new RegExp(`^Q[0-9a-f]{16}:${quote.feeFen}$`))
    assert.isAbove(quote.dropoffEtaS, quote.pickupEtaS)
    assert.match(created.carrierOrderId, /^\d{16}$/)
    await e2e.sandbox.control.settled()

    // UU posts every state, including a repeat of 1 and 3 when a runner drops the order.
    const expected = pushesFor(e2e.delivery(created.carrierOrderId)!.plan)
    const events = await e2e.verified(acct)
    assertOnHubClock(assert, events)
    assert.deepEqual(
      events.map((event) => `${event.carrierStatus}:${event.status}`),
      expected
    )
    assert.equal(expected.at(-1), '10:delivered')
    assert.isTrue(events.every((event) => event.carrierOrderId === created.carrierOrderId))
    assert.exists(events.find((event) => event.status === 'accepted')?.rider?.name)
    const delivery = e2e.delivery(created.carrierOrderId)!
    assert.deepInclude(delivery.extra, { originId: 'ord_uu_e2e_1' })
    const [track] = await e2e.call('track', [ref], acct)
    assert.deepInclude(track, { carrierStatus: '10', status: 'delivered' })
    // The runner's position travels as BD-09 and comes back within a metre.
    const position = await e2e.call('riderLocation', [ref], acct)
    assert.closeTo(position.lat, e2e.baseOrder.recipient.lat, 1e-5)
    assert.closeTo(position.lng, e2e.baseOrder.recipient.lng, 1e-5)
  })

  defineCancelAfterAcceptanceTest(e2e, {
    title: 'cancel after acceptance costs the penalty gethomeservicefee previewed',
    accountId: 'acct-uu-cancel',
    orderId: 'ord_uu_e2e_cancel',
    cancelledMarker: '"state":"-1"',
    lastEvent: { carrierStatus: '-1', status: 'cancelled', note: 'customer_cancelled' },
    refusedCode: '-4003',
  })

  test('payonlinefee tips add up at UU', async ({ assert }) => {
    e2e.sandbox.control.setClock({ speed: 0 })
    const { acct, created, ref } = await e2e.place('acct-uu-tip', 'ord_uu_e2e_tip')
    assert.isNull(await e2e.call('addTip', [ref, 300], acct))
    assert.isNull(await e2e.call('addTip', [ref, 250], acct))
    assert.equal(e2e.delivery(created.carrierOrderId)!.tipFen, 550)
  })

  defineForgedCallbacksTest(e2e, {
    title: 'forged callbacks and a wrong app key are refused',
    accountId: 'acct-uu-forged',
    orderId: 'ord_uu_e2e_forged',
    expectedCallbacks: (plan) => pushesFor(plan).length,
    wrongSecret: {
      accountId: 'acct-uu-wrong-key',
      secret: 'not-the-sandbox-app-key',
      orderId: 'ord_uu_e2e_x',
      code: '-104',
    },
  })

  defineDuplicateCallbackTest(e2e, { accountId: 'acct-uu-dup', orderId: 'ord_uu_e2e_dup' })
})
