/**
 * Contract test of the UU plugin: the conformance kit against its fixtures,
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
import uu from '../../plugins/uu/src/index.js'
import { scratchDir } from '#tests/unit/carriers/support/plugin_fixtures'

const DIR = fileURLToPath(new URL('../../plugins/uu/', import.meta.url))
const fixture = async (path: string) =>
  JSON.parse(await readFile(join(DIR, 'fixtures', path), 'utf8'))

test.group('Contract | uu', () => {
  test('source passes the conformance kit', async () => {
    assertConformance(await runConformance({ dir: DIR, plugin: uu }))
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

  test('quote through the worker host signs the parameters and parses like the fixture', async ({
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

    const quote = await host.call('uu', 'quote', [await fixture('order.json')], {
      account: { id: 'acct', config: await fixture('account.json') },
    })
    assert.equal(quote.feeFen, success.expect.feeFen)
    assert.equal(quote.quoteToken, success.expect.quoteToken)
    assert.lengthOf(sent, 1)
    assert.equal(sent[0].url, expected.expect.url)
    // The worker's clock is real, so the timestamp (and with it the signature) differs
    // from the fixture; the business fields must not, and the signature must match the recipe.
    const form = new URLSearchParams(await sent[0].text())
    const fields = Object.fromEntries(form)
    for (const name of ['from_lat', 'from_lng', 'to_lat', 'to_lng', 'origin_id', 'city_name'])
      assert.equal(fields[name], expected.expect.form[name], name)
    const { sign } = await import('../../plugins/uu/src/mapper.js')
    const account = await fixture('account.json')
    assert.equal(fields.sign, sign(fields, account.appKey))
    assert.match(fields.nonce_str, /^[0-9a-z]{32}$/)
    assert.isAbove(Number(fields.timestamp), 1_735_718_400)
  })
})
