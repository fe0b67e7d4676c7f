import { test } from '@japa/runner'
import { DEFAULT_PROFILES, OWN_FLEET } from '#sandbox/market/carrier_profiles'
import type { RunningSandbox } from '#sandbox/start_sandbox'
import {
  startCallbackReceiver,
  type CallbackReceiver,
} from '#tests/functional/sandbox/support/callback_receiver'
import {
  createFleetDelivery,
  sandboxFleetConfig,
} from '#tests/functional/sandbox/support/fleet_client'
import { freshOwnFleet, startTestSandbox } from '#tests/functional/sandbox/support/sandbox_setup'

test.group('Sandbox | traffic', (group) => {
  let receiver: CallbackReceiver
  group.setup(async () => {
    receiver = await startCallbackReceiver()
    return () => receiver.close()
  })
  group.each.setup(() => {
    receiver.received.length = 0
  })

  async function withSandbox(
    options: Parameters<typeof startTestSandbox>[0],
    run: (sandbox: RunningSandbox) => Promise<void>
  ) {
    const sandbox = await startTestSandbox(options)
    try {
      freshOwnFleet(sandbox, `${receiver.url}/hooks`)
      await run(sandbox)
    } finally {
      await sandbox.stop()
    }
  }

  test('when no rider accepts, the carrier cancels the delivery and says why', async ({
    assert,
  }) => {
    // A fleet that almost never accepts and gives up after two sandbox minutes.
    const reluctant = {
      ...OWN_FLEET,
      acceptance: { baseRate: 0, meanDelayS: 30, giveUpAfterS: 120 },
    }
    await withSandbox(
      { profiles: { ...DEFAULT_PROFILES, own_fleet: reluctant } },
      async (sandbox) => {
        const config = sandboxFleetConfig(sandbox.url)
        const ids = await Promise.all(
          [1, 2, 3, 4, 5, 6].map((n) => createFleetDelivery(config, `ord_reject_${n}`))
        )
        await sandbox.control.settled()
        const cancelledByCarrier = ids
          .map((id) => sandbox.control.delivery('own_fleet', id)!)
          .filter((delivery) => delivery.cancellation?.by === 'carrier')
        assert.isAbove(cancelledByCarrier.length, 2)
        const [first] = cancelledByCarrier
        assert.deepEqual(
          first.history.map((entry) => entry.state),
          ['waiting', 'cancelled']
        )
        const callback = receiver.received
          .map((received) => JSON.parse(received.body))
          .find((body) => body.delivery_id === first.carrierOrderId && body.status === 'cancelled')
        assert.equal(callback.note, 'no rider accepted')
      }
    )
  })

  test('relative callback URLs resolve against the hub URL', async ({ assert }) => {
    await withSandbox({ hubUrl: receiver.url }, async (sandbox) => {
      sandbox.control.setAccount('own_fleet', 'sandbox-own-fleet-key', {
        callbackUrl: '/api/v1/webhooks/9',
      })
      sandbox.control.setClock({ speed: 0 })
      await createFleetDelivery(sandboxFleetConfig(sandbox.url), 'ord_relative')
      await receiver.waitFor((received) => received.length > 0)
      assert.equal(receiver.received[0].path, '/api/v1/webhooks/9')
      assert.equal(sandbox.control.records().callbacks![0].url, `${receiver.url}/api/v1/webhooks/9`)
    })
  })

  test('hundreds of concurrent orders: every callback is accounted for', async ({ assert }) => {
    await withSandbox({ speed: 60 }, async (sandbox) => {
      const config = sandboxFleetConfig(sandbox.url)
      const orders = Array.from({ length: 300 }, (_, index) => `ord_bulk_${index}`)
      let next = 0
      let created = 0
      let noRider = 0
      const started = performance.now()
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < orders.length) {
            // The clock runs on (an hour a second): by the dinner rush the small
            // fleet starts answering "no rider", as it should.
            await createFleetDelivery(config, orders[next++]).then(
              () => created++,
              (error: Error) => {
                if (!error.message.includes('42201')) throw error
                noRider++
              }
            )
          }
        })
      )
      const createdMs = performance.now() - started
      await sandbox.control.settled({ timeoutMs: 20_000 })
      const records = sandbox.control.records({ carrier: 'own_fleet' })
      const tally = records.carriers.own_fleet
      assert.isAbove(created, 50)
      assert.equal(tally.quotes.ok, created)
      assert.equal(tally.quotes.no_capacity, noRider)
      assert.equal(tally.deliveries.created, created)
      assert.equal(tally.states.delivered + tally.states.cancelled, created)
      assert.equal(tally.callbacks.sent, receiver.received.length)
      assert.equal(tally.callbacks.failed, 0)
      assert.equal(tally.callbacks.emitted, tally.deliveries.transitions + created)
      const receivedIds = new Set(
        receiver.received.map((callback) => JSON.parse(callback.body).event_id)
      )
      assert.equal(receivedIds.size, receiver.received.length, 'no duplicates without the knob')
      // A generous ceiling: the machine is shared; this only catches pathological slowness.
      assert.isBelow(
        createdMs,
        15_000,
        `${300 + created} signed calls took ${Math.round(createdMs)} ms`
      )
    })
  })
})
