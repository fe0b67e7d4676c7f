/**
 * UU Paotui signature test vectors (plugins/uu/fixtures/signature_vectors.json, computed
 * with Python's hashlib): the plugin and the emulator each implement the recipe on
 * their own, and both must reproduce the vectors.
 */
import { test } from '@japa/runner'
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import emulator, { uuSign } from '#sandbox/carriers/uu'
import type { EmulatorContext, SandboxAccount } from '#sandbox/emulator'
import { createTestContext, StubHttp } from '#sdk/testing/stub_http'
import plugin from '../../../plugins/uu/src/index.js'
import { sign } from '../../../plugins/uu/src/mapper.js'

const fixture = async (name: string) =>
  JSON.parse(
    await readFile(new URL(`../../../plugins/uu/fixtures/${name}`, import.meta.url), 'utf8')
  )
const vectors = await fixture('signature_vectors.json')
const account = await fixture('account.json')

test.group('Sandbox carriers | uu signature vectors', () => {
  test('the plugin reproduces the request and callback vectors', ({ assert }) => {
    const { request, callback } = vectors
    assert.equal(sign(request.params, request.appKey), request.sign)
    assert.equal(sign(JSON.parse(callback.body), callback.appKey), callback.sign)
    // The vector's plain text is the documented recipe: upper-cased, then MD5, then upper-cased.
    assert.equal(
      createHash('md5').update(request.plaintext.toUpperCase()).digest('hex').toUpperCase(),
      request.sign
    )
    assert.notInclude(callback.plaintext, 'driver_photo=', 'empty values are left out')
  })

  test('the emulator reproduces the same vectors', ({ assert }) => {
    const { request, callback } = vectors
    assert.equal(uuSign(request.params, request.appKey), request.sign)
    assert.equal(uuSign(JSON.parse(callback.body), callback.appKey), callback.sign)
  })

  test('the emulator accepts the vector request and refuses it with a parameter changed', ({
    assert,
  }) => {
    const { request } = vectors
    const sandboxAccount: SandboxAccount = {
      carrier: 'uu',
      accountKey: request.params.appid,
      credentials: { app_key: request.appKey, openid: request.params.openid },
      callbackUrl: null,
    }
    const ctx = {
      now: () => new Date('2025-01-01T08:00:00Z'),
      wallNow: () => new Date('2025-01-01T08:00:00Z'),
      account: (_carrier: string, key: string) =>
        key === request.params.appid ? sandboxAccount : undefined,
      quote: () => ({
        ok: true as const,
        feeFen: 1500,
        distanceM: 1203,
        pickupEtaS: 300,
        dropoffEtaS: 1800,
        token: 'Q1',
        expiresAt: new Date('2025-01-01T08:20:00Z'),
      }),
    } as unknown as EmulatorContext
    const send = (params: Record<string, string>) =>
      JSON.parse(
        (
          emulator.handle(
            {
              method: 'POST',
              path: '/v2_0/getorderprice.ashx',
              query: {},
              headers: {},
              rawBody: new URLSearchParams(params).toString(),
            },
            ctx
          ) as { body: string }
        ).body
      )
    const accepted = send(request.params)
    assert.deepInclude(accepted, { return_code: 'ok', need_paymoney: '15.00', expires_in: '1200' })
    assert.equal(send({ ...request.params, to_lat: '31.18' }).return_code, '-104')
  })

  test('the plugin verifies the callback vector and refuses it under another app key', async ({
    assert,
  }) => {
    const webhook = { headers: {}, body: vectors.callback.body, query: {} }
    const adapter = plugin.create(createTestContext({ config: account, http: new StubHttp([]) }))
    const [event] = await adapter.verifyWebhook!(webhook)
    assert.equal(event.status, 'delivered')
    const other = plugin.create(
      createTestContext({
        config: { ...account, appKey: 'another-app-key' },
        http: new StubHttp([]),
      })
    )
    assert.deepInclude(await other.verifyWebhook!(webhook).catch((e) => e), { name: 'AuthError' })
  })
})
