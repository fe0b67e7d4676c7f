/**
 * End to end: the real Fengniao v3 plugin, packed and installed, running in the
 * hub's sandboxed worker host, talking to the carrier sandbox's Fengniao emulator
 * over HTTP (token first, then signed calls). Fengniao calls back the URL registered
 * for the app; a local receiver stands in for the hub and the plugin verifies the
 * callbacks through the host.
 */
import { test } from '@japa/runner'
import { FENGNIAO_SANDBOX_ACCOUNT, fengniaoEmulator } from '#sandbox/carriers/fengniao'
import { assertOnHubClock } from '#tests/functional/carriers/support/hub_clock'
import { carrierE2eHarness } from '#tests/functional/carriers/support/carrier_e2e_harness'
import { defineForgedCallbacksTest } from '#tests/functional/carriers/support/forged_callbacks_test'
import { defineDuplicateEventIdTest } from '#tests/functional/carriers/support/duplicate_callback_tests'

const { accountKey: APP_ID, credentials: CREDENTIALS } = FENGNIAO_SANDBOX_ACCOUNT

/** What Fengniao pushes per sandbox state (null: no push), and the plugin's unified status. */
const FENGNIAO_PUSH: Record<string, string | null> = {
  accepted: '20:accepted',
  arrived: '80:arrived_at_store',
  picked_up: '2:picked_up',
  delivering: null,
  delivered: '3:delivered',
}

test.group('Carriers | fengniao plugin against the sandbox', (group) => {
  const e2e = carrierE2eHarness(group, {
    carrier: 'fengniao',
    pluginDir: new URL('../../../plugins/fengniao/', import.meta.url),
    emulator: fengniaoEmulator,
    appCallback: { accountKey: APP_ID, path: '/api/v1/webhooks/acct-fengniao' },
    account: ({ sandbox }, id, secret = CREDENTIALS.app_secret) => ({
      id,
      config: {
        baseUrl: `${sandbox.url}/fengniao`,
        appId: APP_ID,
        appSecret: secret,
        merchantId: CREDENTIALS.merchant_id,
        chainStoreId: CREDENTIALS.chain_store_id,
        authCode: '',
        cancelReasonCode: 9,
        webhookToleranceS: 900,
      },
    }),
  })

  test('token → preCreateOrder → createOrder → signed callbacks verified → delivered', async ({
    assert,
  }) => {
    const { acct, quote, created, ref } = await e2e.place('acct-fn-happy', 'ord_fn_e2e_1')
    assert.isAbove(quote.feeFen, 0)
    assert.equal(quote.quoteToken, '30001:10001')
    assert.match(created.carrierOrderId, /^\d{16}$/)
    await e2e.sandbox.control.settled()

    // One 1 at creation; per rider a 20 (no step back to 1 when one drops the order);
    // then 80, 2 and 3; nothing for "on the way".
    const delivery = e2e.delivery(created.carrierOrderId)!
    const expected = ['1:dispatching']
    for (const entry of delivery.history.slice(1)) {
      const push = FENGNIAO_PUSH[entry.state]
      if (push) expected.push(push)
    }
    const events = await e2e.verified(acct, created.carrierOrderId)
    assertOnHubClock(assert, events)
    assert.deepEqual(
      events.map((event) => `${event.carrierStatus}:${event.status}`),
      expected
    )
    assert.equal(expected.at(-1), '3:delivered')
    assert.equal(new Set(events.map((event) => event.eventId)).size, events.length)
    const track = await e2e.call('track', [ref], acct)
    assert.equal(track.at(-1)?.status, 'delivered')
    const position = await e2e.call('riderLocation', [ref], acct)
    assert.closeTo(position.lat, e2e.baseOrder.recipient.lat, 1e-5)
  })

  test('pre-cancel previews the fee cancel then charges', async ({ assert }) => {
    e2e.sandbox.control.setClock({ speed: 0 })
    const { acct, created, ref } = await e2e.place('acct-fn-cancel', 'ord_fn_e2e_cancel')
    assert.deepEqual(await e2e.call('preCancel', [ref], acct), { feeFen: 0 })
    await e2e.untilAccepted(created.carrierOrderId)

    const preview = await e2e.call('preCancel', [ref], acct)
    assert.equal(preview.feeFen, 200)
    assert.deepEqual(await e2e.call('cancel', [ref, 'customer_cancelled'], acct), preview)
    await e2e.receiver.waitFor((received) =>
      received.some((callback) => callback.body.includes('order_status\\":4'))
    )
    const events = await e2e.verified(acct, created.carrierOrderId)
    const last = events.at(-1)!
    assert.deepInclude(last, {
      carrierStatus: '4',
      status: 'cancelled',
      note: 'customer_cancelled',
    })
  })

  test('a tip raises the fee at Fengniao', async ({ assert }) => {
    e2e.sandbox.control.setClock({ speed: 0 })
    const { acct, created, ref } = await e2e.place('acct-fn-tip', 'ord_fn_e2e_tip')
    assert.isNull(await e2e.call('addTip', [ref, 300], acct))
    assert.equal(e2e.delivery(created.carrierOrderId)!.tipFen, 300)
  })

  defineForgedCallbacksTest(e2e, {
    title: 'forged callbacks and a wrong app_secret are refused',
    accountId: 'acct-fn-forged',
    orderId: 'ord_fn_e2e_forged',
    wrongSecret: {
      accountId: 'acct-fn-wrong-secret',
      secret: 'not-the-sandbox-secret',
      orderId: 'ord_fn_e2e_x',
      code: '40001',
    },
  })

  defineDuplicateEventIdTest(e2e, { accountId: 'acct-fn-dup', orderId: 'ord_fn_e2e_dup' })
})
