import { test } from '@japa/runner'
import { createUser } from '#tests/helpers/fixtures'
import { createAccount } from '#services/plugins/carrier_account_service'
import {
  localNode,
  packFixture,
  removeScratch,
  uniqueId,
  waitFor,
  statusOf,
} from '#tests/functional/plugins/support/plugin_packages'
import { spawnSecondHub, type SecondHub } from '#tests/functional/plugins/support/second_hub'

const PLUGINS = '/api/v1/admin/plugins'
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379'

/** What hub B says about itself for one plugin (B reports its own node live). */
async function selfReport(hub: SecondHub, token: string, pluginId: string) {
  const response = await hub.request('GET', `${PLUGINS}/${pluginId}`, token)
  if (response.status !== 200) return null
  return response.body.data.nodes.find(
    (node: { node_id: string; this_node: boolean }) => node.node_id === hub.nodeId && node.this_node
  ) as Record<string, any> | undefined
}

async function stateOn(hub: SecondHub, token: string, pluginId: string) {
  const node = await selfReport(hub, token, pluginId)
  return node?.state
}

test.group('Cluster | a change made through one hub is applied by another', (group) => {
  const hubs: SecondHub[] = []
  group.setup(async () => {
    await localNode()
  })
  group.teardown(async () => {
    await Promise.all(hubs.splice(0).map((hub) => hub.stop()))
    await removeScratch()
  })
  group.each.timeout(60_000)

  test('install, upgrade and disable through A reach B on its reconcile timer', async ({
    client,
    assert,
    cleanup,
  }) => {
    const admin = await createUser('admin')
    const hub = await spawnSecondHub({ PLUGIN_RECONCILE_MS: '250' })
    hubs.push(hub)
    cleanup(() => hub.stop())
    const id = uniqueId('cluster')
    const v1 = await packFixture('good_v1', id)
    const v2 = await packFixture('good_v2', id)

    assert.equal(
      await statusOf(client.post(PLUGINS).bearerToken(admin.token).file('package', v1.tarball)),
      201
    )
    const loaded = await waitFor('B to load 1.0.0', async () => {
      const node = await selfReport(hub, admin.token, id)
      return node?.loaded_version === '1.0.0' && node.state === 'ready' && node
    })
    assert.equal(loaded.applied_revision, 1)

    // B really runs it: its connection test goes through B's own worker.
    const { account } = await createAccount({ plugin_id: id, name: 'Cluster', config: {} })
    const first = await hub.request(
      'POST',
      `/api/v1/admin/carrier-accounts/${account.id}/test`,
      admin.token
    )
    assert.equal(first.status, 200, JSON.stringify(first.body))
    assert.equal(first.body.data.quote?.feeFen, 1000, JSON.stringify(first.body))

    assert.equal(
      await statusOf(client.post(PLUGINS).bearerToken(admin.token).file('package', v2.tarball)),
      200
    )
    await waitFor('B to switch to 2.0.0', async () => {
      const node = await selfReport(hub, admin.token, id)
      return node?.loaded_version === '2.0.0' && node.state === 'ready'
    })
    const second = await hub.request(
      'POST',
      `/api/v1/admin/carrier-accounts/${account.id}/test`,
      admin.token
    )
    assert.equal(second.body.data.quote?.feeFen, 2000, JSON.stringify(second.body))

    assert.equal(
      await statusOf(client.post(`${PLUGINS}/${id}/disable`).bearerToken(admin.token)),
      200
    )
    await waitFor('B to disable it', async () => {
      const node = await selfReport(hub, admin.token, id)
      // Disabling drains the worker first; the pass that did it then records revision 3.
      return node?.state === 'disabled' && node.applied_revision === 3 && node
    })

    // A sees B's report in the shared table, in sync with the latest revision.
    const fromA = await client.get(`${PLUGINS}/${id}`).bearerToken(admin.token)
    const bSeenByA = fromA
      .body()
      .data.nodes.find((node: { node_id: string }) => node.node_id === hub.nodeId)
    assert.include(
      bSeenByA,
      { this_node: false, state: 'disabled', in_sync: true, stale: false },
      JSON.stringify(bSeenByA)
    )
    const aNode = fromA.body().data.nodes.find((node: { this_node: boolean }) => node.this_node)
    assert.equal(aNode.state, 'disabled')

    // B stops cleanly and says so.
    await hub.stop()
    const afterStop = await client.get(`${PLUGINS}/${id}`).bearerToken(admin.token)
    const offline = afterStop
      .body()
      .data.nodes.find((node: { node_id: string }) => node.node_id === hub.nodeId)
    assert.equal(offline.state, 'offline', hub.output())
  })

  test('with Redis, B applies a change at once instead of at its next tick', async ({
    client,
    assert,
    cleanup,
  }) => {
    const admin = await createUser('admin')
    const node = await localNode()
    await node.connectHints(REDIS_URL)
    cleanup(() => node.disconnectHints())

    // Something installed before B starts, so B's first reconcile is observable.
    const warmUp = await packFixture('good_v1', uniqueId('warm'))
    await client.post(PLUGINS).bearerToken(admin.token).file('package', warmUp.tarball)

    const hub = await spawnSecondHub({ PLUGIN_RECONCILE_MS: '60000', REDIS_URL })
    hubs.push(hub)
    cleanup(() => hub.stop())
    // B subscribes before its first reconcile, so once it reports, it listens.
    await waitFor(
      'B to start',
      async () => (await stateOn(hub, admin.token, warmUp.id)) === 'ready'
    )

    const id = uniqueId('hinted')
    const v1 = await packFixture('good_v1', id)
    const started = Date.now()
    assert.equal(
      await statusOf(client.post(PLUGINS).bearerToken(admin.token).file('package', v1.tarball)),
      201
    )
    await waitFor(
      'B to load the plugin after the hint',
      async () => (await stateOn(hub, admin.token, id)) === 'ready',
      30_000,
      50
    )
    const elapsed = Date.now() - started
    // Includes the upload's own checks (a sandboxed worker start); on a busy 2-core
    // machine that alone can take seconds. The point: far below B's 60 s timer.
    assert.isBelow(elapsed, 20_000, `took ${elapsed} ms; B's timer would take 60 s`)

    assert.equal(
      await statusOf(client.post(`${PLUGINS}/${id}/disable`).bearerToken(admin.token)),
      200
    )
    await waitFor(
      'B to disable after the hint',
      async () => (await stateOn(hub, admin.token, id)) === 'disabled',
      5_000,
      50
    )
  })
})
