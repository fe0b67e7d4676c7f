/**
 * SF Same-city signature test vectors (plugins/sf_same_city/fixtures/signature_vectors.json,
 * computed with Python's hashlib): the plugin and the emulator each implement the
 * recipe on their own, and both must reproduce the vectors.
 */
import { test } from '@japa/runner'
import { readFile } from 'node:fs/promises'
import emulator, { sfSign } from '#sandbox/carriers/sf_same_city'
import type { EmulatorContext, SandboxAccount } from '#sandbox/emulator'
import { createTestContext, StubHttp } from '#sdk/testing/stub_http'
import plugin from '../../../plugins/sf_same_city/src/index.js'
import { sign } from '../../../plugins/sf_same_city/src/mapper.js'

const vectors = JSON.parse(
  await readFile(
    new URL('../../../plugins/sf_same_city/fixtures/signature_vectors.json', import.meta.url),
    'utf8'
  )
)
const account = JSON.parse(
  await readFile(
    new URL('../../../plugins/sf_same_city/fixtures/account.json', import.meta.url),
    'utf8'
  )
)

test.group('Sandbox carriers | sf_same_city signature vectors', () => {
  test('the plugin reproduces the request and callback vectors', ({ assert }) => {
    const { request, callback } = vectors
    assert.equal(sign(request.body, request.devId, request.devKey), request.sign)
    assert.equal(sign(callback.body, callback.devId, callback.devKey), callback.sign)
    assert.equal(Buffer.from(request.sign, 'base64').toString('utf8'), request.md5Hex)
  })

  test('the emulator reproduces the same vectors', ({ assert }) => {
    const { request, callback } = vectors
    assert.equal(sfSign(request.body, request.devId, request.devKey), request.sign)
    assert.equal(sfSign(callback.body, callback.devId, callback.devKey), callback.sign)
  })

  test('the emulator accepts the vector request and refuses it with one byte changed', ({
    assert,
  }) => {
    const { request } = vectors
    const sandboxAccount: SandboxAccount = {
      carrier: 'sf_same_city',
      accountKey: request.devId,
      credentials: { dev_key: request.devKey, shop_id: account.shopId },
      callbackUrl: null,
    }
    const ctx = {
      now: () => new Date('2025-01-01T08:00:00Z'),
      account: (_carrier: string, key: string) =>
        key === request.devId ? sandboxAccount : undefined,
      quote: () => ({
        ok: true as const,
        feeFen: 1580,
        distanceM: 1203,
        pickupEtaS: 600,
        dropoffEtaS: 1800,
        token: 'Q1',
        expiresAt: new Date('2025-01-01T08:10:00Z'),
      }),
    } as unknown as EmulatorContext
    const send = (rawBody: string) =>
      JSON.parse(
        (
          emulator.handle(
            {
              method: 'POST',
              path: '/open/api/external/precreateorder',
              query: { sign: request.sign },
              headers: {},
              rawBody,
            },
            ctx
          ) as { body: string }
        ).body
      )
    const accepted = send(request.body)
    assert.equal(accepted.error_code, 0)
    assert.equal(accepted.result.total_price, 1580)
    assert.equal(send(request.body.replace('"weight":1500', '"weight":1501')).error_code, 1002)
  })

  test('the plugin verifies the callback vector and refuses it under another dev_key', async ({
    assert,
  }) => {
    const { callback } = vectors
    const webhook = { headers: {}, body: callback.body, query: { sign: callback.sign } }
    const adapter = plugin.create(createTestContext({ config: account, http: new StubHttp([]) }))
    const [event] = await adapter.verifyWebhook!(webhook)
    assert.equal(event.status, 'delivered')
    const other = plugin.create(
      createTestContext({
        config: { ...account, devKey: 'another-dev-key' },
        http: new StubHttp([]),
      })
    )
    assert.deepInclude(await other.verifyWebhook!(webhook).catch((e) => e), { name: 'AuthError' })
  })
})
