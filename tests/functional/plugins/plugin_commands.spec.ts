import { test } from '@japa/runner'
import ace from '@adonisjs/core/services/ace'
import AuditLog from '#models/audit_log'
import InstalledPlugin from '#models/installed_plugin'
import PluginPackage from '#models/plugin_package'
import PluginInstall from '#commands/plugin_install'
import PluginUpgrade from '#commands/plugin_upgrade'
import PluginDisable from '#commands/plugin_disable'
import PluginEnable from '#commands/plugin_enable'
import PluginRollback from '#commands/plugin_rollback'
import PluginUninstall from '#commands/plugin_uninstall'
import PluginList from '#commands/plugin_list'
import {
  handMadePackage,
  localNode,
  packFixture,
  removeScratch,
  uniqueId,
} from '#tests/functional/plugins/support/plugin_packages'

/** The last JSON line logged (commands share one raw-mode logger during a test). */
function jsonOutput(command: { ui: { logger: { getLogs(): { message: string }[] } } }) {
  const line = command.ui.logger
    .getLogs()
    .findLast((log) => log.message.trim().startsWith('{') || log.message.trim().startsWith('['))
  return JSON.parse(line!.message)
}

test.group('plugin:* ace commands', (group) => {
  group.setup(async () => {
    await localNode()
  })
  group.each.setup(() => {
    ace.ui.switchMode('raw')
    return () => ace.ui.switchMode('normal')
  })
  group.teardown(() => removeScratch())
  group.each.timeout(30_000)

  test('install (from a folder), upgrade, disable, enable, rollback, uninstall, list', async ({
    assert,
  }) => {
    const id = uniqueId('cli')
    const v1 = await packFixture('good_v1', id)
    const v2 = await packFixture('good_v2', id)
    const node = await localNode()

    // A source folder is packed first, then checked like an upload.
    const install = await ace.create(PluginInstall, [v1.dir, '--json'])
    await install.exec()
    install.assertSucceeded()
    assert.deepInclude(jsonOutput(install), {
      id,
      version: '1.0.0',
      change: 'install',
      revision: 1,
    })
    assert.equal(node.host.loaded(id)?.version, '1.0.0')

    const again = await ace.create(PluginInstall, [v1.tarball])
    await again.exec()
    again.assertFailed()
    again.assertLogMatches(/already installed \(version 1\.0\.0\); use plugin:upgrade/)

    const upgrade = await ace.create(PluginUpgrade, [v2.tarball])
    await upgrade.exec()
    upgrade.assertSucceeded()
    upgrade.assertLogMatches(new RegExp(`Upgraded ${id}@2\\.0\\.0 \\(revision 2\\)`))
    assert.equal(node.host.loaded(id)?.version, '2.0.0')

    const disable = await ace.create(PluginDisable, [id])
    await disable.exec()
    disable.assertSucceeded()
    const row = await InstalledPlugin.findByOrFail('plugin_id', id)
    assert.isFalse(row.enabled)
    const statuses = await node.host.status()
    assert.equal(statuses.find((s) => s.id === id)?.state, 'disabled')

    const enable = await ace.create(PluginEnable, [id, '--json'])
    await enable.exec()
    assert.deepInclude(jsonOutput(enable), { enabled: true, change: 'enable', revision: 4 })

    const rollback = await ace.create(PluginRollback, [id, '1.0.0'])
    await rollback.exec()
    rollback.assertSucceeded()
    assert.equal(node.host.loaded(id)?.version, '1.0.0')

    const list = await ace.create(PluginList, ['--json'])
    await list.exec()
    const listed = jsonOutput(list).find((p: { id: string }) => p.id === id)
    assert.equal(listed.version, '1.0.0')
    assert.equal(listed.revision, 5)
    assert.equal(
      listed.nodes.find((n: { this_node: boolean }) => n.this_node).loaded_version,
      '1.0.0'
    )

    const uninstall = await ace.create(PluginUninstall, [id])
    await uninstall.exec()
    uninstall.assertSucceeded()
    assert.isUndefined(node.host.loaded(id))
    const hidden = await ace.create(PluginList, ['--json'])
    await hidden.exec()
    assert.notInclude(
      jsonOutput(hidden).map((p: { id: string }) => p.id),
      id
    )

    const actions = await AuditLog.query().where('subject_id', id).orderBy('id')
    assert.deepEqual(
      actions.map((entry) => [entry.action, entry.actorType]),
      [
        ['plugin.install', 'system'],
        ['plugin.upgrade', 'system'],
        ['plugin.disable', 'system'],
        ['plugin.enable', 'system'],
        ['plugin.rollback', 'system'],
        ['plugin.uninstall', 'system'],
      ]
    )
  })

  test('a bad package fails the command with the problem named; nothing is stored', async ({
    assert,
  }) => {
    const id = uniqueId('cli_bad')
    const tarball = await handMadePackage({ id, manifest: (m) => (m.version = 'one') })
    const command = await ace.create(PluginInstall, [tarball])
    await command.exec()
    command.assertFailed()
    command.assertLogMatches(/version must be a semantic version such as 1\.2\.0/)
    assert.isNull(await PluginPackage.findBy('plugin_id', id))

    const missing = await ace.create(PluginDisable, ['no_such_plugin'])
    await missing.exec()
    missing.assertFailed()
    missing.assertLogMatches(/Plugin "no_such_plugin" not found/)

    const orphan = await packFixture('good_v2', uniqueId('cli_up'))
    const notInstalled = await ace.create(PluginUpgrade, [orphan.tarball])
    await notInstalled.exec()
    notInstalled.assertFailed()
    notInstalled.assertLogMatches(/is not installed; use plugin:install/)
  })
})
