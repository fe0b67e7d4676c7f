/**
 * Contract test of the SF Same-city plugin: the conformance kit against its fixtures,
 * for the TypeScript source, for the bundled entry, and once through a real worker.
 */
import { test } from '@japa/runner'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { assertConformance, runConformance } from '#sdk/conformance'
import { bundlePlugin } from '#sdk/packaging/bundle'
import { pack } from '#sdk/packaging/pack'
import { installPackage } from '#carriers/package_installer'
import { PluginHost } from '#carriers/plugin_host'
import sfSameCity from '../../plugins/sf_same_city/src/index.js'
import { scratchDir } from '#tests/unit/carriers/support/plugin_fixtures'

const DIR = fileURLToPath(new URL('../../plugins/sf_same_city/', import.meta.url))
const fixture = async (path: string) =>
  JSON.parse(await readFile(join(DIR, 'fixtures', path), 'utf8'))

test.group('Contract | sf_same_city', () => {
  test('source passes the conformance kit', async () => {
    assertConformance(await runConformance({ dir: DIR, plugin: sfSameCity }))
  })

  test('the bundled entry passes the conformance kit', async ({ assert, cleanup }) => {
    const scratch = await scratchDir(cleanup)
    const built = await bundlePlugin(DIR, { outFile: join(scratch, 'index.js') })
    const { default: bundled } = await import(pathToFileURL(built.outFile).href)
    assertConformance(await runConformance({ dir: DIR, plugin: bundled }))
    assert.includeMembers(built.modules, [
      'src/index.ts',
      'src/mapper.ts',
      'src/client.ts',
      'src/units.ts',
    ])
  })

  test('quote through the worker host signs and parses like the fixture', async ({
    assert,
    cleanup,
  }) => {
    const scratch = await scratchDir(cleanup)
    const packed = await pack(DIR, { outDir: scratch })
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

    // The worker's clock is real, so push_time (and with it the signature) differs from
    // the fixture; the signature must still be the recipe over the exact body sent.
    const quote = await host.call('sf_same_city', 'quote', [await fixture('order.json')], {
      account: { id: 'acct', config: await fixture('account.json') },
    })
    assert.equal(quote.feeFen, success.expect.feeFen)
    assert.equal(quote.distanceM, success.expect.distanceM)
    assert.lengthOf(sent, 1)
    const url = new URL(sent[0].url)
    assert.equal(url.origin + url.pathname, expected.expect.url.split('?')[0])
    const body = await sent[0].text()
    const parsed = JSON.parse(body)
    assert.isAbove(parsed.push_time, 1_735_718_400)
    assert.deepEqual({ ...parsed, push_time: expected.expect.body.push_time }, expected.expect.body)
    const { sign } = await import('../../plugins/sf_same_city/src/mapper.js')
    const account = await fixture('account.json')
    assert.equal(url.searchParams.get('sign'), sign(body, account.devId, account.devKey))
  })
})
