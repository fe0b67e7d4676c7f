/**
 * End to end: the real Meituan Peisong plugin, packed and installed, running in the
 * hub's sandboxed worker host, talking to the carrier sandbox's Meituan emulator over
 * HTTP. Meituan calls back the URL registered for the appkey; a local receiver
 * stands in for the hub and the plugin verifies the signed forms through the host.
 */
import { test } from '@japa/runner'
import { MEITUAN_SANDBOX_ACCOUNT, meituanEmulator } from '#sandbox/carriers/meituan'
import { assertOnHubClock } from '#tests/functional/carriers/support/hub_clock'
import { carrierE2eHarness } from '#tests/functional/carriers/support/carrier_e2e_harness'
import { defineForgedCallbacksTest } from '#tests/functional/carriers/support/forged_callbacks_test'
import { defineDuplicateEventIdTest } from '#tests/functional/carriers/support/duplicate_callback_tests'

test.group('Carriers | meituan plugin against the sandbox', (group) => {
  const e2e = carrierE2eHarness(group, {
    carrier: 'meituan',
    pluginDir: new URL('../../../plugins/meituan/', import.meta.url),
    emulator: meituanEmulator,
    appCallback: {
      accountKey: MEITUAN_SANDBOX_ACCOUNT.accountKey,
      path: '/api/v1/webhooks/acct-meituan',
    },
    keepFixtureTip: true,
    account: ({ sandbox }, id, secret = MEITUAN_SANDBOX_ACCOUNT.credentials.secret) => ({
      id,
      config: {
        baseUrl: `${sandbox.url}/meituan`,
        appKey: MEITUAN_SANDBOX_ACCOUNT.accountKey,
        appSecret: secret,
        shopId: MEITUAN_SANDBOX_ACCOUNT.credentials.shop_id,
        deliveryServiceCode: 4011,
        webhookToleranceS: 600,
      },
    }),
  })

  /** The plugin's order id is `<mt_peisong_id>:<delivery_id>`; the sandbox knows the first. */
  async function place(accountId: string, orderId: string) {
    const placed = await e2e.place(accountId, orderId)
    return { ...placed, mtPeisongId: placed.created.carrierOrderId.split(':')[0] }
  }

  test('preview → createByShop → signed callbacks verified by the plugin → delivered', async ({
    assert,
  }) => {
    const { acct, quote, created, mtPeisongId, ref } = await place('acct-mt-happy', 'ord_mt_e2e_1')
    assert.isAbove(quote.feeFen, 0)
    assert.equal(quote.quoteToken, '')
    assert.match(created.carrierOrderId, /^\d{16}:\d+$/)
    await e2e.sandbox.control.settled()

    // Meituan pushes 0 once, 20 per rider (a reassignment repeats it), 30 and 50;
    // never arrival, "on the way", or a step back to 0.
    const delivery = e2e.delivery(mtPeisongId)!
    const riders = new Set(
      delivery.history.filter((entry) => entry.state === 'accepted').map((entry) => entry.riderId)
    )
    const expected = [
      '0:dispatching',
      ...[...riders].map(() => '20:accepted'),
      '30:picked_up',
      '50:delivered',
    ]
    const events = await e2e.verified(acct, created.carrierOrderId)
    assertOnHubClock(assert, events)
    assert.deepEqual(
      events.map((event) => `${event.carrierStatus}:${event.status}`),
      expected
    )
    assert.equal(new Set(events.map((event) => event.eventId)).size, events.length)
    assert.exists(events[1].rider?.phone)
    const [tracked] = await e2e.call('track', [ref], acct)
    assert.deepInclude(tracked, { carrierStatus: '50', status: 'delivered' })
    const position = await e2e.call('riderLocation', [ref], acct)
    assert.closeTo(position.lat, e2e.baseOrder.recipient.lat, 1e-5)
    assert.closeTo(position.lng, e2e.baseOrder.recipient.lng, 1e-5)
  })

  test('the same idempotency key creates one delivery', async ({ assert }) => {
    e2e.sandbox.control.setClock({ speed: 0 })
    const { acct, quote, created } = await place('acct-mt-retry', 'ord_mt_e2e_retry')
    const retried = await e2e.call(
      'create',
      [e2e.order('ord_mt_e2e_retry'), quote, 'ord_mt_e2e_retry:attempt-1'],
      acct
    )
    assert.equal(retried.carrierOrderId, created.carrierOrderId)
    assert.lengthOf(e2e.sandbox.control.records({ carrier: 'meituan' }).deliveries ?? [], 1)
  })

  test('cancel after acceptance: Meituan charges its fee and reports 99', async ({ assert }) => {
    e2e.sandbox.control.setClock({ speed: 0 })
    const { acct, created, mtPeisongId, ref } = await place('acct-mt-cancel', 'ord_mt_e2e_cancel')
    await e2e.untilAccepted(mtPeisongId)

    assert.deepEqual(await e2e.call('cancel', [ref, 'customer_cancelled'], acct), {})
    assert.deepInclude(e2e.delivery(mtPeisongId)!.cancellation!, {
      by: 'merchant',
      feeFen: 300,
    })
    await e2e.receiver.waitFor((received) =>
      received.some((callback) => callback.body.includes('status=99'))
    )
    const events = await e2e.verified(acct, created.carrierOrderId)
    const last = events.at(-1)!
    assert.deepInclude(last, {
      carrierStatus: '99',
      status: 'cancelled',
      note: 'customer_cancelled',
    })
  })

  test('a tip raises the fee at Meituan; fractions of a yuan are refused before any call', async ({
    assert,
  }) => {
    e2e.sandbox.control.setClock({ speed: 0 })
    const { acct, mtPeisongId, ref } = await place('acct-mt-tip', 'ord_mt_e2e_tip')
    assert.isNull(await e2e.call('addTip', [ref, 300], acct))
    assert.equal(e2e.delivery(mtPeisongId)!.tipFen, 300)
    const refused = await e2e.call('addTip', [ref, 250], acct).catch((error) => error)
    assert.deepEqual([refused.name, refused.code], ['InvalidRequestError', 'invalid_tip_amount'])
  })

  defineForgedCallbacksTest(e2e, {
    title: 'forged callbacks and a wrong secret are refused',
    accountId: 'acct-mt-forged',
    orderId: 'ord_mt_e2e_forged',
    wrongSecret: {
      accountId: 'acct-mt-wrong-secret',
      secret: 'not-the-sandbox-secret',
      orderId: 'ord_mt_e2e_x',
      code: '3',
    },
  })

  defineDuplicateEventIdTest(e2e, { accountId: 'acct-mt-dup', orderId: 'ord_mt_e2e_dup' })
})
