/**
 * End to end: the real own-fleet plugin, packed and installed, running in the hub's
 * sandboxed worker host, talking to the carrier sandbox over HTTP; status callbacks
 * land at a local receiver and are verified by the plugin through the host.
 */
import { test } from '@japa/runner'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { HubOrder, NormalizedEvent } from '#sdk/contract'
import { pack } from '#sdk/packaging/pack'
import { installPackage } from '#carriers/package_installer'
import { PluginHost } from '#carriers/plugin_host'
import type { RunningSandbox } from '#sandbox/start_sandbox'
import { chinaTime } from '#sandbox/market/time_of_day'
import {
  startCallbackReceiver,
  type CallbackReceiver,
} from '#tests/functional/sandbox/support/callback_receiver'
import { sandboxFleetConfig } from '#tests/functional/sandbox/support/fleet_client'
import { freshOwnFleet, startTestSandbox } from '#tests/functional/sandbox/support/sandbox_setup'

const OWN_FLEET_DIR = fileURLToPath(new URL('../../../plugins/own_fleet/', import.meta.url))

test.group('Sandbox | own-fleet plugin end to end', (group) => {
  let sandbox: RunningSandbox
  let receiver: CallbackReceiver
  let host: PluginHost
  let baseOrder: HubOrder

  group.setup(async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'sandbox-e2e-'))
    const packed = await pack(OWN_FLEET_DIR, { outDir: scratch })
    const installed = await installPackage(packed.tarball, join(scratch, 'installed'))
    receiver = await startCallbackReceiver()
    sandbox = await startTestSandbox()
    host = new PluginHost({ extraEgress: [`127.0.0.1:${sandbox.port}`] })
    await host.load(installed.dir)
    baseOrder = JSON.parse(await readFile(join(OWN_FLEET_DIR, 'fixtures/order.json'), 'utf8'))
    return async () => {
      await host.shutdown()
      await sandbox.stop()
      await receiver.close()
      await rm(scratch, { recursive: true, force: true })
    }
  })
  group.each.setup(() => {
    freshOwnFleet(sandbox, `${receiver.url}/api/v1/webhooks/acct-e2e`)
    receiver.received.length = 0
  })

  /** Breakers are per account: each test gets its own id so one test's failures stay its own. */
  const account = (id: string) => ({
    id,
    config: { ...sandboxFleetConfig(sandbox.url), service: 'standard', webhookToleranceS: 300 },
  })
  const order = (id: string): HubOrder => ({ ...baseOrder, id, external_id: `POS-${id}` })

  async function verifiedEvents(
    accountId: string,
    carrierOrderId: string
  ): Promise<NormalizedEvent[]> {
    const events: NormalizedEvent[] = []
    for (const callback of receiver.received) {
      const verified = await host.verifyWebhook('own_fleet', account(accountId), {
        headers: callback.headers,
        body: callback.body,
        query: {},
      })
      events.push(...verified.filter((event) => event.carrierOrderId === carrierOrderId))
    }
    return events
  }

  test('quote → create → signed callbacks verified by the plugin → delivered', async ({
    assert,
  }) => {
    const acct = account('acct-e2e-happy')
    const hubOrder = order('ord_e2e_1')
    const quote = await host.call('own_fleet', 'quote', [hubOrder], { account: acct })
    assert.isAbove(quote.feeFen, 0)
    assert.equal(quote.feeFen % 10, 0)
    assert.isAbove(quote.dropoffEtaS, quote.pickupEtaS)
    assert.match(quote.quoteToken, /^Q[0-9a-f]{16}$/)
    assert.isAbove(Date.parse(quote.expiresAt), Date.now())

    const created = await host.call(
      'own_fleet',
      'create',
      [hubOrder, quote, 'ord_e2e_1:attempt-1'],
      { account: acct }
    )
    assert.equal(created.feeFen, quote.feeFen)
    await sandbox.control.settled()

    const events = await verifiedEvents(acct.id, created.carrierOrderId)
    assert.deepEqual(
      events.map((event) => event.status),
      ['dispatching', 'accepted', 'arrived_at_store', 'picked_up', 'delivering', 'delivered']
    )
    assert.exists(events[1].rider?.name)
    const track = await host.call(
      'own_fleet',
      'track',
      [{ orderId: hubOrder.id, carrierOrderId: created.carrierOrderId }],
      {
        account: acct,
      }
    )
    assert.equal(track.at(-1)?.status, 'delivered')
    const ref = { orderId: hubOrder.id, carrierOrderId: created.carrierOrderId }
    const position = await host.call('own_fleet', 'riderLocation', [ref], { account: acct })
    assert.deepEqual(
      { lat: position.lat, lng: position.lng },
      { lat: hubOrder.recipient.lat, lng: hubOrder.recipient.lng }
    )
    const proof = await host.call('own_fleet', 'proofOfDelivery', [ref], { account: acct })
    assert.lengthOf(proof.photoUrls, 1)
    const records = sandbox.control.records({ carrier: 'own_fleet', summary: true }).carriers
      .own_fleet
    assert.equal(records.callbacks.sent, events.length)
    assert.equal(records.states.delivered, 1)
  })

  test('cancel after acceptance costs the fee the plugin previewed', async ({ assert }) => {
    const acct = account('acct-e2e-cancel')
    const hubOrder = order('ord_e2e_cancel')
    sandbox.control.setClock({ speed: 0 })
    const quote = await host.call('own_fleet', 'quote', [hubOrder], { account: acct })
    const created = await host.call(
      'own_fleet',
      'create',
      [hubOrder, quote, 'ord_e2e_cancel:attempt-1'],
      { account: acct }
    )
    const ref = { orderId: hubOrder.id, carrierOrderId: created.carrierOrderId }
    assert.deepEqual(await host.call('own_fleet', 'preCancel', [ref], { account: acct }), {
      feeFen: 0,
    })

    const accepted = sandbox.control
      .delivery('own_fleet', created.carrierOrderId)!
      .plan.find((step) => step.state === 'accepted')!
    sandbox.control.setClock({ at: new Date(accepted.at) })
    await sandbox.control.waitFor(
      () => sandbox.control.delivery('own_fleet', created.carrierOrderId)!.state === 'accepted'
    )
    const preview = await host.call('own_fleet', 'preCancel', [ref], { account: acct })
    assert.equal(preview.feeFen, 100)
    const cancelled = await host.call('own_fleet', 'cancel', [ref, 'customer_cancelled'], {
      account: acct,
    })
    assert.deepEqual(cancelled, { feeFen: preview.feeFen })
    await receiver.waitFor((received) =>
      received.some((callback) => callback.body.includes('"cancelled"'))
    )
    const events = await verifiedEvents(acct.id, created.carrierOrderId)
    assert.equal(events.at(-1)?.status, 'cancelled')
    assert.equal(events.at(-1)?.note, 'customer_cancelled')
  })

  test('a tip raises the delivery’s fee at the carrier', async ({ assert }) => {
    const acct = account('acct-e2e-tip')
    const hubOrder = order('ord_e2e_tip')
    sandbox.control.setClock({ speed: 0 })
    const quote = await host.call('own_fleet', 'quote', [hubOrder], { account: acct })
    const created = await host.call(
      'own_fleet',
      'create',
      [hubOrder, quote, 'ord_e2e_tip:attempt-1'],
      { account: acct }
    )
    const ref = { orderId: hubOrder.id, carrierOrderId: created.carrierOrderId }
    assert.isNull(await host.call('own_fleet', 'addTip', [ref, 300], { account: acct }))
    assert.equal(sandbox.control.delivery('own_fleet', created.carrierOrderId)!.tipFen, 300)
  })

  test('carrier refusals arrive as the plugin’s typed errors', async ({ assert }) => {
    const acct = account('acct-e2e-errors')
    sandbox.control.setWeather('*', { condition: 'heavy_rain' })
    sandbox.control.setClock({ at: chinaTime('2025-03-04', 12), speed: 0 })
    const failures = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((n) =>
        host
          .call('own_fleet', 'quote', [order(`ord_e2e_rain_${n}`)], { account: acct })
          .catch((error: Error) => error)
      )
    )
    const capacity = failures.filter(
      (failure) => failure instanceof Error && failure.name === 'CapacityError'
    )
    assert.isAbove(capacity.length, 2, 'heavy rain at lunch leaves the small fleet without riders')
    assert.equal((capacity[0] as Error & { code?: string }).code, '42201')

    const far = {
      ...order('ord_e2e_far'),
      recipient: { ...baseOrder.recipient, lat: 31.3, lng: 121.6 },
    }
    const outOfRange = await host
      .call('own_fleet', 'quote', [far], { account: account('acct-e2e-far') })
      .catch((error: Error) => error)
    assert.equal((outOfRange as Error).name, 'RejectedError')

    sandbox.control.setFaults('own_fleet', { errorRate: 1 })
    const broken = await host
      .call('own_fleet', 'quote', [order('ord_e2e_broken')], {
        account: account('acct-e2e-broken'),
      })
      .catch((error: Error) => error)
    assert.equal((broken as Error).name, 'RetryableError')
    assert.equal((broken as Error & { code?: string }).code, '50000')
  })
})
