/**
 * Contract test of the own-fleet plugin: the conformance kit against its fixtures,
 * for the TypeScript source, for the bundled entry, and once through a real worker.
 * Every carrier plugin gets a file like this one.
 */
import { test } from '@japa/runner'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { assertConformance, runConformance } from '#sdk/conformance'
import { bundlePlugin } from '#sdk/packaging/bundle'
import { pack } from '#sdk/packaging/pack'
import { installPackage } from '#carriers/package_installer'
import { PluginHost } from '#carriers/plugin_host'
import ownFleet from '../../plugins/own_fleet/src/index.js'
import { OWN_FLEET_DIR, scratchDir } from '#tests/unit/carriers/support/plugin_fixtures'

const fixture = async (path: string) =>
  JSON.parse(await readFile(join(OWN_FLEET_DIR, 'fixtures', path), 'utf8'))

test.group('Contract | own_fleet', () => {
  test('source passes the conformance kit', async () => {
    assertConformance(await runConformance({ dir: OWN_FLEET_DIR, plugin: ownFleet }))
  })

  test('the bundled entry passes the conformance kit', async ({ assert, cleanup }) => {
    const scratch = await scratchDir(cleanup)
    const built = await bundlePlugin(OWN_FLEET_DIR, { outFile: join(scratch, 'index.js') })
    const { default: bundled } = await import(pathToFileURL(built.outFile).href)
    assertConformance(await runConformance({ dir: OWN_FLEET_DIR, plugin: bundled }))
    assert.includeMembers(built.modules, [
      'src/index.ts',
      'src/mapper.ts',
      'src/client.ts',
      'src/units.ts',
    ])
  })

  test('quote through the worker host gives the same answer as the fixture', async ({
    assert,
    cleanup,
  }) => {
    const scratch = await scratchDir(cleanup)
    const packed = await pack(OWN_FLEET_DIR, { outDir: scratch })
    const installed = await installPackage(packed.tarball, join(scratch, 'installed'))
    const success = await fixture('quote/success.json')
    const expected = await fixture('quote/request.json')
    const sent: Request[] = []
    const host = new PluginHost({
      fetchImplementation: async (input, init) => {
        sent.push(new Request(input, init))
        return new Response(JSON.stringify(success.response.body), { status: 200 })
      },
    })
    cleanup(() => host.shutdown())
    await host.load(installed.dir)

    const quote = await host.call('own_fleet', 'quote', [await fixture('order.json')], {
      account: { id: 'acct', config: await fixture('account.json') },
    })
    assert.deepEqual(quote, success.expect)
    assert.lengthOf(sent, 1)
    assert.equal(sent[0].url, expected.expect.url)
    assert.deepEqual(await sent[0].json(), expected.expect.body)
    assert.match(sent[0].headers.get('x-fleet-signature')!, /^[0-9a-f]{64}$/)
  })
})
