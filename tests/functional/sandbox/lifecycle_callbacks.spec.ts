import { test } from '@japa/runner'
import { verifyWebhook } from '../../../plugins/own_fleet/src/mapper.js'
import type { RunningSandbox } from '#sandbox/start_sandbox'
import {
  startCallbackReceiver,
  type CallbackReceiver,
  type ReceivedCallback,
} from '#tests/functional/sandbox/support/callback_receiver'
import {
  createFleetDelivery,
  fleetCall,
  quoteBody,
  sandboxFleetConfig,
} from '#tests/functional/sandbox/support/fleet_client'
import { freshOwnFleet, startTestSandbox } from '#tests/functional/sandbox/support/sandbox_setup'

const parse = (callback: ReceivedCallback) =>
  JSON.parse(callback.body) as {
    event_id: string
    delivery_id: string
    status: string
    note?: string
  }

const statusesOf = (received: ReceivedCallback[], deliveryId: string) =>
  received.map(parse).filter((event) => event.delivery_id === deliveryId)

const finished = (deliveryId: string) => (received: ReceivedCallback[]) =>
  statusesOf(received, deliveryId).some((event) =>
    ['delivered', 'cancelled'].includes(event.status)
  )

const FORWARD = ['pending', 'assigned', 'arrived', 'picked_up', 'delivering', 'delivered']

test.group('Sandbox | life cycle and status callbacks', (group) => {
  let sandbox: RunningSandbox
  let receiver: CallbackReceiver
  let config: ReturnType<typeof sandboxFleetConfig>

  group.setup(async () => {
    receiver = await startCallbackReceiver()
    sandbox = await startTestSandbox()
    config = sandboxFleetConfig(sandbox.url)
    return async () => {
      await sandbox.stop()
      await receiver.close()
    }
  })
  group.each.setup(() => {
    freshOwnFleet(sandbox, `${receiver.url}/api/v1/webhooks/acct-1`)
    receiver.received.length = 0
  })

  test('a delivery runs to delivered and every state change is called back, signed', async ({
    assert,
  }) => {
    const id = await createFleetDelivery(config, 'ord_lc_1')
    await receiver.waitFor(finished(id))
    await sandbox.control.settled()
    const events = statusesOf(receiver.received, id)
    // Forward order, each step once (this order has no rider drop).
    assert.deepEqual(
      events.map((event) => event.status),
      FORWARD
    )
    for (const callback of receiver.received.filter(
      (received) => parse(received).delivery_id === id
    )) {
      const [normalized] = verifyWebhook(
        { headers: callback.headers, body: callback.body, query: {} },
        config,
        new Date()
      )
      assert.equal(normalized.carrierOrderId, id)
      assert.equal(callback.path, '/api/v1/webhooks/acct-1')
    }
    assert.lengthOf(new Set(events.map((event) => event.event_id)), events.length)

    const track = await fleetCall(config, 'GET', `/v1/deliveries/${id}/events`)
    assert.deepEqual(
      track.body.data.events.map((event: { status: string }) => event.status),
      FORWARD
    )
    const records = sandbox.control.records({ carrier: 'own_fleet' })
    const tally = records.carriers.own_fleet
    assert.equal(tally.deliveries.created, 1)
    assert.equal(tally.states.delivered, 1)
    assert.equal(tally.callbacks.sent, events.length)
    assert.equal(tally.callbacks.failed, 0)
    assert.deepEqual(
      records.callbacks!.map((entry) => entry.state),
      ['waiting', 'accepted', 'arrived', 'picked_up', 'delivering', 'delivered']
    )
    const proof = await fleetCall(config, 'GET', `/v1/deliveries/${id}/proof`)
    assert.equal(proof.body.code, 0)
  })

  test('the rider moves from the store to the customer while delivering', async ({ assert }) => {
    const id = await createFleetDelivery(config, 'ord_lc_ride')
    sandbox.control.setClock({ speed: 0 })
    const plan = sandbox.control.delivery('own_fleet', id)!.plan
    const delivering = plan.find((step) => step.state === 'delivering')!
    const delivered = plan.find((step) => step.state === 'delivered')!
    const midway = (Date.parse(delivering.at) + Date.parse(delivered.at)) / 2
    sandbox.control.setClock({ at: new Date(midway) })
    await sandbox.control.waitFor(
      () => sandbox.control.delivery('own_fleet', id)!.state === 'delivering'
    )
    const rider = await fleetCall(config, 'GET', `/v1/deliveries/${id}/rider`)
    const { lat, lng } = rider.body.data
    const store = { lat: 31.190236, lng: 121.436525 }
    const customer = { lat: 31.183467, lng: 121.443512 }
    assert.isTrue(lat < store.lat && lat > customer.lat, `lat ${lat} between store and customer`)
    assert.isTrue(lng > store.lng && lng < customer.lng, `lng ${lng} between store and customer`)
    assert.equal(rider.body.data.reported_at, Math.floor(midway / 1000))
  })

  test('the bad-signature knob forges signatures the plugin refuses', async ({ assert }) => {
    sandbox.control.setFaults('own_fleet', { badSignatureRate: 1 })
    const id = await createFleetDelivery(config, 'ord_lc_forged')
    await receiver.waitFor(finished(id))
    const ours = receiver.received.filter((callback) => parse(callback).delivery_id === id)
    assert.isAbove(ours.length, 3)
    for (const callback of ours) {
      assert.throws(
        () =>
          verifyWebhook(
            { headers: callback.headers, body: callback.body, query: {} },
            config,
            new Date()
          ),
        /signature does not match/
      )
    }
    const tally = sandbox.control.records({ carrier: 'own_fleet', summary: true }).carriers
      .own_fleet
    assert.equal(tally.callbacks.forged, tally.callbacks.emitted)
  })

  test('the duplicate knob sends every callback twice with the same event id', async ({
    assert,
  }) => {
    sandbox.control.setFaults('own_fleet', { duplicateRate: 1 })
    const id = await createFleetDelivery(config, 'ord_lc_dup')
    await receiver.waitFor(finished(id))
    await sandbox.control.settled()
    const ids = statusesOf(receiver.received, id).map((event) => event.event_id)
    assert.equal(ids.length, new Set(ids).size * 2)
    const tally = sandbox.control.records({ carrier: 'own_fleet', summary: true }).carriers
      .own_fleet
    assert.equal(tally.callbacks.duplicated, tally.callbacks.sent)
  })

  test('the reorder knob delivers callbacks out of order, none lost', async ({ assert }) => {
    sandbox.control.setFaults('own_fleet', { reorderRate: 1 })
    const id = await createFleetDelivery(config, 'ord_lc_reorder')
    await sandbox.control.settled()
    const sequence = statusesOf(receiver.received, id).map((event) =>
      Number(event.event_id.split('_').at(-1))
    )
    assert.sameMembers(sequence, [1, 2, 3, 4, 5, 6])
    assert.notDeepEqual(sequence, [1, 2, 3, 4, 5, 6])
    assert.deepEqual(sequence.slice(0, 2), [2, 1], 'the first one is overtaken by the second')
  })

  test('failed callbacks are retried with backoff', async ({ assert }) => {
    receiver.failNext(2)
    const id = await createFleetDelivery(config, 'ord_lc_retry')
    await sandbox.control.settled()
    assert.deepEqual(
      statusesOf(receiver.received, id)
        .map((event) => event.status)
        .sort(),
      [...FORWARD].sort()
    )
    const records = sandbox.control.records({ carrier: 'own_fleet' })
    assert.equal(records.carriers.own_fleet.callbacks.retries, 2)
    assert.equal(records.carriers.own_fleet.callbacks.failed, 0)
    assert.isAbove(Math.max(...records.callbacks!.map((entry) => entry.attempts)), 1)
  })

  test('a receiver that stays down makes the callbacks fail after the retries', async ({
    assert,
  }) => {
    sandbox.control.setAccount('own_fleet', 'sandbox-own-fleet-key', {
      callbackUrl: 'http://127.0.0.1:9/down',
    })
    await createFleetDelivery(config, 'ord_lc_down')
    await sandbox.control.settled()
    const tally = sandbox.control.records({ carrier: 'own_fleet', summary: true }).carriers
      .own_fleet
    assert.equal(tally.callbacks.sent, 0)
    assert.equal(tally.callbacks.failed, tally.callbacks.emitted)
    assert.equal(tally.callbacks.retries, tally.callbacks.emitted * 3)
  })

  test('create is idempotent on request_id', async ({ assert }) => {
    const quote = await fleetCall(config, 'POST', '/v1/quotes', quoteBody(config, 'ord_lc_idem'))
    const body = {
      fleet_id: config.fleetId,
      quote_id: quote.body.data.quote_id,
      order_no: 'ord_lc_idem',
      request_id: 'ord_lc_idem:attempt-1',
    }
    const first = await fleetCall(config, 'POST', '/v1/deliveries', body)
    const second = await fleetCall(config, 'POST', '/v1/deliveries', body)
    assert.equal(first.body.data.delivery_id, second.body.data.delivery_id)
    const tally = sandbox.control.records({ carrier: 'own_fleet', summary: true }).carriers
      .own_fleet
    assert.equal(tally.deliveries.created, 1)
    assert.equal(tally.deliveries.idempotentReplays, 1)
  })

  test('cancellation costs nothing before acceptance, a fee after, more after pickup', async ({
    assert,
  }) => {
    sandbox.control.setClock({ speed: 0 })
    const ids = await Promise.all(
      ['a', 'b', 'c'].map((suffix) => createFleetDelivery(config, `ord_lc_cancel_${suffix}`))
    )
    const stepTime = (id: string, state: string) =>
      new Date(
        sandbox.control.delivery('own_fleet', id)!.plan.find((step) => step.state === state)!.at
      )
    const feeOf = async (id: string) => {
      const answer = await fleetCall(config, 'POST', `/v1/deliveries/${id}/cancel-fee`, {})
      return answer.body.data.fee
    }

    assert.equal(await feeOf(ids[0]), '0.00')
    const cancelled = await fleetCall(config, 'POST', `/v1/deliveries/${ids[0]}/cancel`, {
      reason: 'customer_cancelled',
    })
    assert.equal(cancelled.body.data.deducted_fee, '0.00')

    sandbox.control.setClock({ at: stepTime(ids[1], 'accepted') })
    await sandbox.control.waitFor(
      () => sandbox.control.delivery('own_fleet', ids[1])!.state === 'accepted'
    )
    assert.equal(await feeOf(ids[1]), '1.00')

    sandbox.control.setClock({ at: stepTime(ids[2], 'picked_up') })
    await sandbox.control.waitFor(
      () => sandbox.control.delivery('own_fleet', ids[2])!.state === 'picked_up'
    )
    const fee = sandbox.control.delivery('own_fleet', ids[2])!.feeFen
    const afterPickup = await fleetCall(config, 'POST', `/v1/deliveries/${ids[2]}/cancel`, {
      reason: 'too_late',
    })
    assert.equal(afterPickup.body.data.deducted_fee, (Math.round(fee / 2) / 100).toFixed(2))
    const again = await fleetCall(config, 'POST', `/v1/deliveries/${ids[2]}/cancel`, {
      reason: 'twice',
    })
    assert.equal(
      again.body.data.deducted_fee,
      afterPickup.body.data.deducted_fee,
      'cancelling twice is a no-op'
    )
    const record = sandbox.control.delivery('own_fleet', ids[2])!
    assert.deepEqual(
      record.cancellation && { by: record.cancellation.by, reason: record.cancellation.reason },
      {
        by: 'merchant',
        reason: 'too_late',
      }
    )
  })
})
