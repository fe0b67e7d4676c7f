import { test } from '@japa/runner'
import ApiKey from '#models/api_key'
import AuditLog from '#models/audit_log'
import { createConsoleCast, validOrder } from '#tests/helpers/fixtures'

test.group('Admin API keys', () => {
  test('the secret is shown once, works for intake, and stops working once revoked', async ({
    client,
    assert,
  }) => {
    const { a, merchantA } = await createConsoleCast()

    const created = await client
      .post(`/api/v1/admin/merchants/${a.merchant.id}/api-keys`)
      .bearerToken(merchantA.token)
      .json({ name: '前台 POS' })
    created.assertStatus(201)
    const key = created.body().data
    assert.match(key.secret, /^chk_/)
    assert.isTrue(key.secret.startsWith(key.prefix))
    assert.equal(key.merchant_id, a.merchant.id)
    assert.equal(key.created_by_user_id, merchantA.user.id)
    assert.isNull(key.revoked_at)

    const order = await client
      .post('/api/v1/orders')
      .bearerToken(key.secret)
      .json(validOrder(a.stores[0].id))
    order.assertStatus(201)

    const list = await client
      .get(`/api/v1/admin/merchants/${a.merchant.id}/api-keys`)
      .bearerToken(merchantA.token)
    list.assertStatus(200)
    const listed = list.body().data.find((k: { id: number }) => k.id === key.id)
    assert.equal(listed.prefix, key.prefix)
    assert.isString(listed.last_used_at)
    assert.notProperty(listed, 'secret')
    assert.notProperty(listed, 'secret_hash')
    assert.notInclude(JSON.stringify(list.body()), key.secret)

    const revoked = await client
      .post(`/api/v1/admin/api-keys/${key.id}/revoke`)
      .bearerToken(merchantA.token)
    revoked.assertStatus(200)
    assert.isString(revoked.body().data.revoked_at)
    assert.notProperty(revoked.body().data, 'secret')

    const refused = await client
      .post('/api/v1/orders')
      .bearerToken(key.secret)
      .json(validOrder(a.stores[0].id))
    refused.assertStatus(401)
  })

  test('creation and revocation are audited without the secret', async ({ client, assert }) => {
    const { a, merchantA } = await createConsoleCast()

    const created = await client
      .post(`/api/v1/admin/merchants/${a.merchant.id}/api-keys`)
      .bearerToken(merchantA.token)
      .json({ name: 'mini-program' })
    const key = created.body().data

    await client.post(`/api/v1/admin/api-keys/${key.id}/revoke`).bearerToken(merchantA.token)
    const again = await client
      .post(`/api/v1/admin/api-keys/${key.id}/revoke`)
      .bearerToken(merchantA.token)
    again.assertStatus(200)

    const rows = await AuditLog.query()
      .where('subject_type', 'api_key')
      .where('subject_id', String(key.id))
      .orderBy('id')
    assert.deepEqual(
      rows.map((row) => row.action),
      ['api_key.create', 'api_key.revoke']
    )
    const stored = await ApiKey.findOrFail(key.id)
    for (const row of rows) {
      assert.equal(row.merchantId, a.merchant.id)
      assert.equal(row.changes?.prefix, key.prefix)
      assert.notInclude(JSON.stringify(row.serialize()), key.secret)
      assert.notInclude(JSON.stringify(row.serialize()), stored.secretHash)
    }
  })

  test("a merchant user cannot list, create or revoke another merchant's keys (404)", async ({
    client,
    assert,
  }) => {
    const { b, merchantA } = await createConsoleCast()

    const list = await client
      .get(`/api/v1/admin/merchants/${b.merchant.id}/api-keys`)
      .bearerToken(merchantA.token)
    list.assertStatus(404)

    const create = await client
      .post(`/api/v1/admin/merchants/${b.merchant.id}/api-keys`)
      .bearerToken(merchantA.token)
      .json({ name: 'sneaky' })
    create.assertStatus(404)

    const revoke = await client
      .post(`/api/v1/admin/api-keys/${b.apiKey.id}/revoke`)
      .bearerToken(merchantA.token)
    revoke.assertStatus(404)

    await b.apiKey.refresh()
    assert.isNull(b.apiKey.revokedAt)
    const keys = await ApiKey.query().where('merchant_id', b.merchant.id)
    assert.lengthOf(keys, 1)
  })

  test('operators and integrators do not manage keys (403); admins manage any', async ({
    client,
    assert,
  }) => {
    const { b, admin, operator, integrator } = await createConsoleCast()

    for (const caller of [operator, integrator]) {
      const list = await client
        .get(`/api/v1/admin/merchants/${b.merchant.id}/api-keys`)
        .bearerToken(caller.token)
      list.assertStatus(403)
      const create = await client
        .post(`/api/v1/admin/merchants/${b.merchant.id}/api-keys`)
        .bearerToken(caller.token)
        .json({ name: 'x' })
      create.assertStatus(403)
      const revoke = await client
        .post(`/api/v1/admin/api-keys/${b.apiKey.id}/revoke`)
        .bearerToken(caller.token)
      revoke.assertStatus(403)
    }
    await b.apiKey.refresh()
    assert.isNull(b.apiKey.revokedAt)

    const list = await client
      .get(`/api/v1/admin/merchants/${b.merchant.id}/api-keys`)
      .bearerToken(admin.token)
    list.assertStatus(200)
    assert.lengthOf(list.body().data, 1)

    const revoke = await client
      .post(`/api/v1/admin/api-keys/${b.apiKey.id}/revoke`)
      .bearerToken(admin.token)
    revoke.assertStatus(200)
    const intake = await client
      .post('/api/v1/orders')
      .bearerToken(b.key)
      .json(validOrder(b.stores[0].id))
    intake.assertStatus(401)
  })

  test('a key needs a name', async ({ client, assert }) => {
    const { a, merchantA } = await createConsoleCast()

    const response = await client
      .post(`/api/v1/admin/merchants/${a.merchant.id}/api-keys`)
      .bearerToken(merchantA.token)
      .json({ name: '   ' })

    response.assertStatus(422)
    assert.equal(response.body().errors[0].pointer, '/name')
    assert.equal(response.body().errors[0].rule, 'minLength')
  })
})
