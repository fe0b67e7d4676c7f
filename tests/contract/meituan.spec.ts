/**
 * Contract test of the Meituan Peisong plugin: the conformance kit against its
 * fixtures (source and bundled entry), and the signature / delivery_id test vectors
 * in fixtures/signatures.json, computed outside TypeScript.
 */
import { test } from '@japa/runner'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { assertConformance, runConformance } from '#sdk/conformance'
import { bundlePlugin } from '#sdk/packaging/bundle'
import meituan from '../../plugins/meituan/src/index.js'
import { signParams } from '../../plugins/meituan/src/signature.js'
import { deliveryIdFor, splitCarrierOrderId } from '../../plugins/meituan/src/units.js'
import { scratchDir } from '#tests/unit/carriers/support/plugin_fixtures'

const MEITUAN_DIR = fileURLToPath(new URL('../../plugins/meituan/', import.meta.url))

interface Vectors {
  sign: { secret: string; params: Record<string, string>; expected: string }[]
  deliveryIds: { key: string; expected: number }[]
}

const vectors = async (): Promise<Vectors> =>
  JSON.parse(await readFile(join(MEITUAN_DIR, 'fixtures/signatures.json'), 'utf8'))

test.group('Contract | meituan', () => {
  test('source passes the conformance kit', async () => {
    assertConformance(await runConformance({ dir: MEITUAN_DIR, plugin: meituan }))
  })

  test('the bundled entry passes the conformance kit', async ({ assert, cleanup }) => {
    const scratch = await scratchDir(cleanup)
    const built = await bundlePlugin(MEITUAN_DIR, { outFile: join(scratch, 'index.js') })
    const { default: bundled } = await import(pathToFileURL(built.outFile).href)
    assertConformance(await runConformance({ dir: MEITUAN_DIR, plugin: bundled }))
    assert.includeMembers(built.modules, ['src/index.ts', 'src/mapper.ts', 'src/signature.ts'])
  })

  test('signatures match the independent test vectors (empty values skipped)', async ({
    assert,
  }) => {
    const { sign } = await vectors()
    assert.isAbove(sign.length, 1)
    for (const vector of sign)
      assert.equal(signParams(vector.params, vector.secret), vector.expected)
  })

  test('delivery_id is a stable positive integer per idempotency key', async ({ assert }) => {
    const { deliveryIds } = await vectors()
    for (const vector of deliveryIds) {
      assert.equal(deliveryIdFor(vector.key), vector.expected)
      assert.isTrue(Number.isSafeInteger(vector.expected) && vector.expected > 0)
    }
    assert.notEqual(deliveryIdFor('ord_1:attempt-1'), deliveryIdFor('ord_1:attempt-2'))
  })

  test('the carrier order id carries mt_peisong_id and delivery_id', ({ assert }) => {
    assert.deepEqual(splitCarrierOrderId('1735718400123456:4211463106153030'), {
      mtPeisongId: '1735718400123456',
      deliveryId: '4211463106153030',
    })
    assert.deepEqual(splitCarrierOrderId('bare'), { mtPeisongId: 'bare', deliveryId: '' })
  })
})
