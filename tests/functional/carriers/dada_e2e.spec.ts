/**
 * End to end: the real Dada plugin, packed and installed, running in the hub's
 * sandboxed worker host, talking to the carrier sandbox's Dada emulator over HTTP.
 * Dada's callbacks go to the `callback` URL sent with each order; a local receiver
 * stands in for the hub and the plugin verifies them through the host.
 */
import { test } from '@japa/runner'
import { DADA_SANDBOX_ACCOUNT, dadaEmulator } from '#sandbox/carriers/dada'
import { assertOnHubClock } from '#tests/functional/carriers/support/hub_clock'
import { carrierE2eHarness } from '#tests/functional/carriers/support/carrier_e2e_harness'

/** What Dada pushes for each sandbox state, and the unified status the plugin maps it to. */
const DADA_PUSH: Record<string, string> = {
  waiting: '1:dispatching',
  accepted: '2:accepted',
  arrived: '100:arrived_at_store',
  picked_up: '3:picked_up',
  delivered: '4:delivered',
  cancelled: '7:failed',
}

test.group('Carriers | dada plugin against the sandbox', (group) => {
  const e2e = carrierE2eHarness(group, {
    carrier: 'dada',
    pluginDir: new URL('../../../plugins/dada/', import.meta.url),
    emulator: dadaEmulator,
    /** Its orders name this hub account's callback path. */
    account: ({ sandbox, receiver }, id, secret = DADA_SANDBOX_ACCOUNT.credentials.app_secret) => ({
      id,
      config: {
        baseUrl: `${sandbox.url}/dada`,
        appKey: DADA_SANDBOX_ACCOUNT.accountKey,
        appSecret: secret,
        sourceId: DADA_SANDBOX_ACCOUNT.credentials.source_id,
        shopNo: DADA_SANDBOX_ACCOUNT.credentials.shop_no,
        cityCode: DADA_SANDBOX_ACCOUNT.credentials.city_code,
        callbackUrl: `${receiver.url}/api/v1/webhooks/${id}`,
        webhookToleranceS: 900,
      },
    }),
  })

  test('quote → addAfterQuery → signed callbacks verified by the plugin → delivered', async ({
    assert,
  }) => {
    const { acct, quote, created, ref } = await e2e.place('acct-dada-happy', 'ord_dada_e2e_1')
    assert.isAbove(quote.feeFen, 0)
    assert.match(quote.quoteToken, /^Q[0-9a-f]{16}$/)
    assert.deepEqual(created, { carrierOrderId: 'ord_dada_e2e_1', feeFen: quote.feeFen })
    await e2e.sandbox.control.settled()

    // Expected pushes follow the sandbox's plan (a rider may drop the order, and Dada then
    // re-sends 1 and 2); Dada has no push for "on the way".
    const plan = e2e.delivery('ord_dada_e2e_1')!.plan.map((step) => step.state)
    const expected = ['waiting', ...plan]
      .filter((state) => state !== 'delivering')
      .map((state) => DADA_PUSH[state])
    const events = await e2e.verified(acct)
    assertOnHubClock(assert, events)
    assert.deepEqual(
      events.map((event) => `${event.carrierStatus}:${event.status}`),
      expected
    )
    assert.equal(expected.at(-1), '4:delivered')
    assert.isTrue(events.every((event) => event.carrierOrderId === 'ord_dada_e2e_1'))
    assert.exists(events.find((event) => event.status === 'accepted')?.rider?.name)
    // A reassignment re-sends 2 for the new rider: a new event, not a duplicate.
    const accepted = events.filter((event) => event.status === 'accepted')
    assert.equal(new Set(accepted.map((event) => event.eventId)).size, accepted.length)
    const track = await e2e.call('track', [ref], acct)
    assert.equal(track.at(-1)?.status, 'delivered')
    const delivery = e2e.delivery('ord_dada_e2e_1')!
    assert.equal(delivery.state, 'delivered')
    assert.equal(
      e2e.sandbox.control.records({ carrier: 'dada', summary: true }).carriers.dada.callbacks.sent,
      events.length
    )
  })

  test('cancel after acceptance returns the deduct_fee Dada charged', async ({ assert }) => {
    e2e.sandbox.control.setClock({ speed: 0 })
    const { acct, created, ref } = await e2e.place('acct-dada-cancel', 'ord_dada_e2e_cancel')
    await e2e.untilAccepted(created.carrierOrderId)

    const cancelled = await e2e.call('cancel', [ref, 'customer_cancelled'], acct)
    assert.deepEqual(cancelled, { feeFen: 200 })
    await e2e.receiver.waitFor(() =>
      e2e.callbacksFor(acct.id).some((callback) => callback.body.includes('"order_status":5'))
    )
    const events = await e2e.verified(acct)
    const last = events.at(-1)!
    assert.deepInclude(last, {
      carrierStatus: '5',
      status: 'cancelled',
      note: 'customer_cancelled',
    })
  })

  test('tips add up at Dada although addTip replaces the tip', async ({ assert }) => {
    e2e.sandbox.control.setClock({ speed: 0 })
    const { acct, created, ref } = await e2e.place('acct-dada-tip', 'ord_dada_e2e_tip')
    assert.isNull(await e2e.call('addTip', [ref, 300], acct))
    assert.isNull(await e2e.call('addTip', [ref, 200], acct))
    assert.equal(e2e.delivery(created.carrierOrderId)!.tipFen, 500)
  })

  test('forged callbacks and a wrong app_secret are refused', async ({ assert }) => {
    e2e.sandbox.control.setFaults('dada', { badSignatureRate: 1 })
    const { acct } = await e2e.place('acct-dada-forged', 'ord_dada_e2e_forged')
    await e2e.sandbox.control.settled()
    const callbacks = e2e.callbacksFor(acct.id)
    assert.isAbove(callbacks.length, 2)
    for (const callback of callbacks) {
      const refused = await e2e.host
        .verifyWebhook('dada', acct, e2e.asWebhook(callback))
        .catch((error: Error) => error)
      assert.equal((refused as Error).name, 'AuthError')
    }
    const wrong = e2e.account('acct-dada-wrong-secret', 'not-the-sandbox-secret')
    const failure = await e2e.refusedQuote(wrong, 'ord_dada_e2e_x')
    assert.deepEqual([failure.name, failure.code], ['AuthError', '2003'])
  })

  test('a duplicated callback carries the same event id', async ({ assert }) => {
    e2e.sandbox.control.setFaults('dada', { duplicateRate: 1 })
    const { acct } = await e2e.place('acct-dada-dup', 'ord_dada_e2e_dup')
    await e2e.sandbox.control.settled()
    const copies = new Map<string, number>()
    for (const callback of e2e.callbacksFor(acct.id))
      copies.set(callback.body, (copies.get(callback.body) ?? 0) + 1)
    assert.isAbove(copies.size, 2)
    assert.isTrue(
      [...copies.values()].every((count) => count === 2),
      'every callback arrived twice'
    )
    for (const body of copies.keys()) {
      const request = { headers: { 'content-type': 'application/json' }, body, query: {} }
      const [first] = await e2e.host.verifyWebhook('dada', acct, request)
      const [second] = await e2e.host.verifyWebhook('dada', acct, request)
      assert.equal(first.eventId, second.eventId)
    }
    const events = await e2e.verified(acct)
    assert.equal(events.length, 2 * copies.size)
  })
})
