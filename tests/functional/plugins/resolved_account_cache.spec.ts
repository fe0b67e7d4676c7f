import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import {
  SAMPLE_TEST_ORDER,
  createAccount,
  updateAccount,
} from '#services/plugins/carrier_account_service'
import { cachedAccount, forgetResolvedAccount } from '#services/plugins/resolved_account_cache'
import { installCheckedPackage, setPluginEnabled } from '#services/plugins/plugin_registry_service'
import { checkPackageFile } from '#services/plugins/package_checks'
import { PluginCarrierGateway } from '#dispatch/pipeline/plugin_carrier_gateway'
import {
  ensureOwnFleet,
  localNode,
  ownFleetAccount,
  packFixture,
  removeScratch,
  uniqueId,
} from '#tests/functional/plugins/support/plugin_packages'

/** The error code a lookup was refused with, or null when it resolved. */
async function refusal(lookup: Promise<unknown>): Promise<string | null> {
  try {
    await lookup
    return null
  } catch (error) {
    return (error as { code?: string }).code ?? String(error)
  }
}

test.group('Resolved account cache', (group) => {
  group.setup(() => ensureOwnFleet())
  group.teardown(() => removeScratch())
  group.each.timeout(30_000)

  test('a disabled account still verifies callbacks but is never quoted', async ({ assert }) => {
    const node = await localNode()
    const gateway = new PluginCarrierGateway(localNode)
    const account = await ownFleetAccount()
    // Both kinds of lookup are kept before the account is switched off.
    const quoting = await cachedAccount(node, account.id)
    const verifying = await cachedAccount(node, account.id, { allowDisabled: true })
    assert.equal(quoting.pluginId, 'own_fleet')
    assert.equal(verifying.pluginId, 'own_fleet')

    await updateAccount(account, { enabled: false })
    // The callback lookup first: what it keeps must not be what quotes get.
    const stillVerifying = await cachedAccount(node, account.id, { allowDisabled: true })
    assert.equal(stillVerifying.account.id, String(account.id))
    assert.equal(await refusal(cachedAccount(node, account.id)), 'account_disabled')
    assert.equal(await refusal(gateway.quote(account.id, SAMPLE_TEST_ORDER)), 'account_disabled')
  })

  test('lookups are reused for a while; refusals are not', async ({ assert }) => {
    const node = await localNode()
    const account = await ownFleetAccount()
    const first = await cachedAccount(node, account.id)
    // A change written by another process (not through the service) waits for the TTL.
    await db.from('carrier_accounts').where('id', account.id).update({ enabled: false })
    assert.strictEqual(await cachedAccount(node, account.id), first)

    forgetResolvedAccount(account.id)
    assert.equal(await refusal(cachedAccount(node, account.id)), 'account_disabled')
    await db.from('carrier_accounts').where('id', account.id).update({ enabled: true })
    const enabled = await cachedAccount(node, account.id)
    assert.equal(enabled.account.id, String(account.id))
    assert.equal(await refusal(cachedAccount(node, 987654)), 'account_not_found')
  })

  test('a plugin change applied by this node is seen by the next lookup', async ({ assert }) => {
    const node = await localNode()
    const packed = await packFixture('good_v1', uniqueId('cached'))
    await installCheckedPackage(await checkPackageFile(packed.tarball), null)
    const { account } = await createAccount({ plugin_id: packed.id, name: 'Cached', config: {} })
    const before = await cachedAccount(node, account.id, { allowDisabled: true })
    assert.strictEqual(await cachedAccount(node, account.id, { allowDisabled: true }), before)

    await setPluginEnabled(packed.id, false)
    assert.equal(
      await refusal(cachedAccount(node, account.id, { allowDisabled: true })),
      'plugin_disabled'
    )
    await setPluginEnabled(packed.id, true)
    const after = await cachedAccount(node, account.id, { allowDisabled: true })
    assert.isAbove(after.pluginRevision, before.pluginRevision)
  })
})
