/**
 * Contract test of the Dada plugin: the conformance kit against its fixtures (source
 * and bundled entry), and the signature test vectors in fixtures/signatures.json,
 * which were computed outside TypeScript so they check the signing code itself.
 */
import { test } from '@japa/runner'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { assertConformance, runConformance } from '#sdk/conformance'
import { bundlePlugin } from '#sdk/packaging/bundle'
import dada from '../../plugins/dada/src/index.js'
import { callbackSignature, requestSignature } from '../../plugins/dada/src/signature.js'
import { scratchDir } from '#tests/unit/carriers/support/plugin_fixtures'

const DADA_DIR = fileURLToPath(new URL('../../plugins/dada/', import.meta.url))

interface Vectors {
  request: { appSecret: string; params: Record<string, string>; expected: string }[]
  callback: { fields: Record<string, string | number>; expected: string }[]
}

const vectors = async (): Promise<Vectors> =>
  JSON.parse(await readFile(join(DADA_DIR, 'fixtures/signatures.json'), 'utf8'))

test.group('Contract | dada', () => {
  test('source passes the conformance kit', async () => {
    assertConformance(await runConformance({ dir: DADA_DIR, plugin: dada }))
  })

  test('the bundled entry passes the conformance kit', async ({ assert, cleanup }) => {
    const scratch = await scratchDir(cleanup)
    const built = await bundlePlugin(DADA_DIR, { outFile: join(scratch, 'index.js') })
    const { default: bundled } = await import(pathToFileURL(built.outFile).href)
    assertConformance(await runConformance({ dir: DADA_DIR, plugin: bundled }))
    assert.includeMembers(built.modules, ['src/index.ts', 'src/mapper.ts', 'src/signature.ts'])
  })

  test('request signatures match the independent test vectors', async ({ assert }) => {
    const { request } = await vectors()
    assert.isAbove(request.length, 1)
    for (const vector of request) {
      assert.equal(requestSignature(vector.params, vector.appSecret), vector.expected)
    }
  })

  test('callback signatures match the vectors (values sorted as strings, no secret)', async ({
    assert,
  }) => {
    const { callback } = await vectors()
    for (const vector of callback) {
      const fields = vector.fields as { client_id: string; order_id: string; update_time: string }
      assert.equal(callbackSignature(fields), vector.expected)
    }
  })
})
