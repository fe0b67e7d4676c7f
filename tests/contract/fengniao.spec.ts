/**
 * Contract test of the Fengniao v3 plugin: the conformance kit against its fixtures
 * (source and bundled entry), the signature test vectors (computed outside
 * TypeScript), and the access-token handling the fixtures cannot show: one token for
 * many calls, and a refused token fetched again once.
 */
import { test } from '@japa/runner'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { assertConformance, runConformance } from '#sdk/conformance'
import { bundlePlugin } from '#sdk/packaging/bundle'
import { StubHttp, createTestContext, type StubResponse } from '#sdk/testing/stub_http'
import fengniao from '../../plugins/fengniao/src/index.js'
import { parseJsonKeepingLongs } from '../../plugins/fengniao/src/mapper.js'
import { fengniaoSignature } from '../../plugins/fengniao/src/signature.js'
import { scratchDir } from '#tests/unit/carriers/support/plugin_fixtures'

const FENGNIAO_DIR = fileURLToPath(new URL('../../plugins/fengniao/', import.meta.url))
const fixture = async (path: string) =>
  JSON.parse(await readFile(join(FENGNIAO_DIR, 'fixtures', path), 'utf8'))

const envelope = (code: string, business: unknown = {}): StubResponse => ({
  body: {
    code,
    msg: code === '200' ? 'success' : 'refused',
    business_data: JSON.stringify(business),
  },
})
const tokenAnswer = (token: string) =>
  envelope('200', { access_token: token, expire_in: 31_536_000 })
const ref = { orderId: 'ord_1001', carrierOrderId: '2102150000123456789' }

async function adapterWith(responses: StubResponse[]) {
  const http = new StubHttp(responses)
  const config = await fixture('account.json')
  return { http, adapter: fengniao.create(createTestContext({ config, http })) }
}

test.group('Contract | fengniao', () => {
  test('source passes the conformance kit', async () => {
    assertConformance(await runConformance({ dir: FENGNIAO_DIR, plugin: fengniao }))
  })

  test('the bundled entry passes the conformance kit', async ({ assert, cleanup }) => {
    const scratch = await scratchDir(cleanup)
    const built = await bundlePlugin(FENGNIAO_DIR, { outFile: join(scratch, 'index.js') })
    const { default: bundled } = await import(pathToFileURL(built.outFile).href)
    assertConformance(await runConformance({ dir: FENGNIAO_DIR, plugin: bundled }))
    assert.includeMembers(built.modules, ['src/client.ts', 'src/mapper.ts', 'src/signature.ts'])
  })

  test('signatures match the independent test vectors', async ({ assert }) => {
    const { vectors } = await fixture('signatures.json')
    assert.lengthOf(vectors, 3)
    for (const vector of vectors) {
      assert.equal(fengniaoSignature(vector.fields, vector.appSecret), vector.expected, vector.name)
    }
  })

  test('one access_token serves every call of the account', async ({ assert }) => {
    const { http, adapter } = await adapterWith([
      tokenAnswer('tok-1'),
      envelope('200', { actual_cancel_cost_cent: 0 }),
      envelope('200', { actual_cancel_cost_cent: 100 }),
    ])
    assert.deepEqual(await adapter.preCancel!(ref), { feeFen: 0 })
    assert.deepEqual(await adapter.preCancel!(ref), { feeFen: 100 })
    assert.deepEqual(
      http.requests.map((request) => new URL(request.url).pathname.split('/').pop()),
      ['token', 'preCancelOrder', 'preCancelOrder']
    )
    assert.equal(JSON.parse(http.requests[2].body!).access_token, 'tok-1')
  })

  test('a refused token is fetched again once, then the call is repeated', async ({ assert }) => {
    const { http, adapter } = await adapterWith([
      tokenAnswer('tok-old'),
      envelope('40002', {}),
      tokenAnswer('tok-new'),
      envelope('200', { actual_cancel_cost_cent: 300 }),
    ])
    assert.deepEqual(await adapter.preCancel!(ref), { feeFen: 300 })
    assert.lengthOf(http.requests, 4)
    assert.equal(JSON.parse(http.requests[3].body!).access_token, 'tok-new')
  })

  test('order ids beyond 2^53 keep every digit', ({ assert }) => {
    const parsed = parseJsonKeepingLongs('{"order_id":2102150000123456789,"n":12}') as Record<
      string,
      unknown
    >
    assert.strictEqual(parsed.order_id, '2102150000123456789')
    assert.strictEqual(parsed.n, 12)
  })
})
