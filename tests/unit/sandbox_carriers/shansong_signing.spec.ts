/**
 * Shansong signature test vectors (plugins/shansong/fixtures/signature_vectors.json,
 * computed with Python's hashlib): the plugin and the emulator each implement the
 * recipe on their own, and both must reproduce the vectors.
 */
import { test } from '@japa/runner'
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import emulator, { shansongSign } from '#sandbox/carriers/shansong'
import type { EmulatorContext, SandboxAccount } from '#sandbox/emulator'
import { createTestContext, StubHttp } from '#sdk/testing/stub_http'
import plugin from '../../../plugins/shansong/src/index.js'
import { sign } from '../../../plugins/shansong/src/mapper.js'

const fixture = async (name: string) =>
  JSON.parse(
    await readFile(new URL(`../../../plugins/shansong/fixtures/${name}`, import.meta.url), 'utf8')
  )
const vectors = await fixture('signature_vectors.json')
const account = await fixture('account.json')

const paramsOf = (vector: Record<string, string>) => ({
  clientId: vector.clientId,
  shopId: vector.shopId,
  timestamp: vector.timestamp,
  data: vector.data,
})

test.group('Sandbox carriers | shansong signature vectors', () => {
  test('the plugin reproduces the vectors, with and without data', ({ assert }) => {
    for (const name of ['request', 'requestWithoutData', 'callback']) {
      const vector = vectors[name]
      assert.equal(sign(vector.appSecret, paramsOf(vector)), vector.sign, name)
    }
    const { requestWithoutData } = vectors
    assert.notInclude(requestWithoutData.plaintext, 'data')
    assert.equal(
      createHash('md5').update(vectors.request.plaintext).digest('hex').toUpperCase(),
      vectors.request.sign
    )
  })

  test('the emulator reproduces the same vectors', ({ assert }) => {
    for (const name of ['request', 'requestWithoutData', 'callback']) {
      const vector = vectors[name]
      assert.equal(shansongSign(vector.appSecret, paramsOf(vector)), vector.sign, name)
    }
  })

  test('the emulator accepts the vector request and refuses it with the data changed', ({
    assert,
  }) => {
    const { request } = vectors
    const sandboxAccount: SandboxAccount = {
      carrier: 'shansong',
      accountKey: request.clientId,
      credentials: { app_secret: request.appSecret, shop_id: request.shopId },
      callbackUrl: null,
    }
    const ctx = {
      now: () => new Date('2025-01-01T08:00:00Z'),
      account: (_carrier: string, key: string) =>
        key === request.clientId ? sandboxAccount : undefined,
      quote: () => ({
        ok: true as const,
        feeFen: 1600,
        distanceM: 1203,
        pickupEtaS: 300,
        dropoffEtaS: 1800,
        token: 'TDH1',
        expiresAt: new Date('2025-01-01T08:10:00Z'),
      }),
    } as unknown as EmulatorContext
    const send = (data: string) => {
      const rawBody = new URLSearchParams({
        ...paramsOf(request),
        data,
        sign: request.sign,
      }).toString()
      const answer = emulator.handle(
        {
          method: 'POST',
          path: '/openapi/merchants/v5/orderCalculate',
          query: {},
          headers: {},
          rawBody,
        },
        ctx
      ) as { body: string }
      return JSON.parse(answer.body)
    }
    const accepted = send(request.data)
    assert.equal(accepted.status, 200)
    assert.equal(accepted.data.orderNumber, 'TDH1')
    assert.equal(send(request.data.replace('"weight":2', '"weight":3')).status, 401)
  })

  test('the plugin verifies the callback vector and refuses it under another secret', async ({
    assert,
  }) => {
    const webhook = { headers: {}, body: vectors.callback.body, query: {} }
    const adapter = plugin.create(createTestContext({ config: account, http: new StubHttp([]) }))
    const [event] = await adapter.verifyWebhook!(webhook)
    assert.equal(event.status, 'delivered')
    const other = plugin.create(
      createTestContext({
        config: { ...account, appSecret: 'another-secret' },
        http: new StubHttp([]),
      })
    )
    assert.deepInclude(await other.verifyWebhook!(webhook).catch((e) => e), { name: 'AuthError' })
  })
})
