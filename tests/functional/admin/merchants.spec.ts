import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import AuditLog from '#models/audit_log'
import Merchant from '#models/merchant'
import { createConsoleCast, createTenant, createUser, validOrder } from '#tests/helpers/fixtures'

function newMerchantBody(overrides: Record<string, unknown> = {}) {
  return {
    name: '老王烧烤',
    code: `lw-${randomUUID().slice(0, 8)}`,
    tier: 'vip',
    contact_phone: '13912345678',
    ...overrides,
  }
}

test.group('Admin merchants: reading', () => {
  test('staff list every merchant; a merchant user only their own', async ({ client, assert }) => {
    const { a, b, admin, operator, merchantA } = await createConsoleCast()

    for (const staff of [admin, operator]) {
      const response = await client
        .get('/api/v1/admin/merchants')
        .qs({ limit: 200 })
        .bearerToken(staff.token)
      response.assertStatus(200)
      const ids = response.body().data.map((m: { id: number }) => m.id)
      assert.includeMembers(ids, [a.merchant.id, b.merchant.id])
    }

    const own = await client.get('/api/v1/admin/merchants').bearerToken(merchantA.token)
    own.assertStatus(200)
    assert.deepEqual(
      own.body().data.map((m: { id: number }) => m.id),
      [a.merchant.id]
    )
    assert.isNull(own.body().metadata.next_cursor)
  })

  test('pages newest first with a cursor and rejects a foreign cursor', async ({
    client,
    assert,
  }) => {
    const { admin } = await createConsoleCast()

    const first = await client
      .get('/api/v1/admin/merchants')
      .qs({ limit: 1 })
      .bearerToken(admin.token)
    first.assertStatus(200)
    assert.lengthOf(first.body().data, 1)
    assert.equal(first.body().metadata.limit, 1)
    const cursor = first.body().metadata.next_cursor
    assert.isString(cursor)

    const second = await client
      .get('/api/v1/admin/merchants')
      .qs({ limit: 1, cursor })
      .bearerToken(admin.token)
    second.assertStatus(200)
    assert.isBelow(second.body().data[0].id, first.body().data[0].id)

    const foreign = Buffer.from('user:5').toString('base64url')
    const bad = await client
      .get('/api/v1/admin/merchants')
      .qs({ cursor: foreign })
      .bearerToken(admin.token)
    bad.assertStatus(422)
    assert.equal(bad.body().errors[0].pointer, '/cursor')

    const tooMany = await client
      .get('/api/v1/admin/merchants')
      .qs({ limit: 1000 })
      .bearerToken(admin.token)
    tooMany.assertStatus(422)
    assert.equal(tooMany.body().errors[0].pointer, '/limit')
    assert.equal(tooMany.body().errors[0].rule, 'range')
  })

  test('a merchant user reads their merchant; another one is 404', async ({ client, assert }) => {
    const { a, b, merchantA } = await createConsoleCast()

    const own = await client
      .get(`/api/v1/admin/merchants/${a.merchant.id}`)
      .bearerToken(merchantA.token)
    own.assertStatus(200)
    assert.equal(own.body().data.code, a.merchant.code)

    const other = await client
      .get(`/api/v1/admin/merchants/${b.merchant.id}`)
      .bearerToken(merchantA.token)
    other.assertStatus(404)
    assert.notInclude(JSON.stringify(other.body()), b.merchant.name)

    // Same answer as for an id that does not exist at all.
    const missing = await client
      .get('/api/v1/admin/merchants/99999999')
      .bearerToken(merchantA.token)
    missing.assertStatus(404)
  })

  test('operators read any merchant; integrators are refused', async ({ client }) => {
    const { b, operator, integrator } = await createConsoleCast()

    const read = await client
      .get(`/api/v1/admin/merchants/${b.merchant.id}`)
      .bearerToken(operator.token)
    read.assertStatus(200)

    const list = await client.get('/api/v1/admin/merchants').bearerToken(integrator.token)
    list.assertStatus(403)
    const one = await client
      .get(`/api/v1/admin/merchants/${b.merchant.id}`)
      .bearerToken(integrator.token)
    one.assertStatus(403)
  })

  test('a malformed id or cursor is a 4xx, never a 500', async ({ client }) => {
    const { admin } = await createConsoleCast()
    for (const id of ['abc', '-1', '1.5', '99999999999999999999999']) {
      const response = await client.get(`/api/v1/admin/merchants/${id}`).bearerToken(admin.token)
      response.assertStatus(404)
    }
    const garbage = await client
      .get('/api/v1/admin/merchants')
      .qs({ cursor: '!!not base64!!' })
      .bearerToken(admin.token)
    garbage.assertStatus(422)
  })
})

test.group('Admin merchants: writing', () => {
  test('an admin creates a merchant and the audit log records it', async ({ client, assert }) => {
    const { user, token } = await createUser('admin')
    const body = newMerchantBody()

    const response = await client.post('/api/v1/admin/merchants').bearerToken(token).json(body)

    response.assertStatus(201)
    const created = response.body().data
    assert.equal(created.code, body.code)
    assert.equal(created.tier, 'vip')
    assert.equal(created.status, 'active')
    assert.equal(created.contact_phone, '13912345678')
    assert.notProperty(created, 'api_key')

    const row = await AuditLog.query()
      .where('action', 'merchant.create')
      .where('subject_id', String(created.id))
      .firstOrFail()
    assert.equal(row.actorId, user.id)
    assert.equal(row.merchantId, created.id)
    assert.equal(row.changes?.code, body.code)
  })

  test('a taken code is a 409 naming /code', async ({ client, assert }) => {
    const { merchant } = await createTenant()
    const { token } = await createUser('admin')

    const response = await client
      .post('/api/v1/admin/merchants')
      .bearerToken(token)
      .json(newMerchantBody({ code: merchant.code }))

    response.assertStatus(409)
    assert.equal(response.body().errors[0].pointer, '/code')
    assert.equal(response.body().errors[0].rule, 'unique')
  })

  test('validation names the field and the rule', async ({ client, assert }) => {
    const { token } = await createUser('admin')
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [newMerchantBody({ name: undefined }), '/name', 'required'],
      [newMerchantBody({ tier: 'platinum' }), '/tier', 'enum'],
      [newMerchantBody({ code: 'Has Spaces' }), '/code', 'regex'],
      [newMerchantBody({ contact_phone: '12345' }), '/contact_phone', 'regex'],
    ]
    for (const [body, pointer, rule] of cases) {
      const response = await client.post('/api/v1/admin/merchants').bearerToken(token).json(body)
      response.assertStatus(422)
      assert.equal(response.body().errors[0].pointer, pointer)
      assert.equal(response.body().errors[0].rule, rule)
    }

    const notAnObject = await client.post('/api/v1/admin/merchants').bearerToken(token).json([1])
    notAnObject.assertStatus(422)
  })

  test('suspending a merchant is audited and locks out its POS keys', async ({
    client,
    assert,
  }) => {
    const { a, admin } = await createConsoleCast()

    const response = await client
      .patch(`/api/v1/admin/merchants/${a.merchant.id}`)
      .bearerToken(admin.token)
      .json({ status: 'suspended', name: 'Renamed' })

    response.assertStatus(200)
    assert.equal(response.body().data.status, 'suspended')
    assert.equal(response.body().data.name, 'Renamed')
    assert.equal(response.body().data.code, a.merchant.code)

    const row = await AuditLog.query()
      .where('action', 'merchant.update')
      .where('subject_id', String(a.merchant.id))
      .firstOrFail()
    assert.deepEqual(row.changes?.status, { from: 'active', to: 'suspended' })
    assert.deepEqual(row.changes?.name, { from: a.merchant.name, to: 'Renamed' })
    assert.notProperty(row.changes!, 'tier')

    const intake = await client
      .post('/api/v1/orders')
      .bearerToken(a.key)
      .json(validOrder(a.stores[0].id))
    intake.assertStatus(403)
  })

  test('the code is not renamed by a PATCH and a bad status is refused', async ({
    client,
    assert,
  }) => {
    const { a, admin } = await createConsoleCast()

    const ignored = await client
      .patch(`/api/v1/admin/merchants/${a.merchant.id}`)
      .bearerToken(admin.token)
      .json({ code: 'new-code' })
    ignored.assertStatus(200)
    await a.merchant.refresh()
    assert.notEqual(a.merchant.code, 'new-code')

    const bad = await client
      .patch(`/api/v1/admin/merchants/${a.merchant.id}`)
      .bearerToken(admin.token)
      .json({ status: 'deleted' })
    bad.assertStatus(422)
    assert.equal(bad.body().errors[0].pointer, '/status')
  })

  test('only admins create or update merchants (403 for every other role)', async ({
    client,
    assert,
  }) => {
    const { a, operator, merchantA, integrator } = await createConsoleCast()

    for (const caller of [operator, merchantA, integrator]) {
      const create = await client
        .post('/api/v1/admin/merchants')
        .bearerToken(caller.token)
        .json(newMerchantBody())
      create.assertStatus(403)

      const update = await client
        .patch(`/api/v1/admin/merchants/${a.merchant.id}`)
        .bearerToken(caller.token)
        .json({ tier: 'key_account' })
      update.assertStatus(403)
    }

    await a.merchant.refresh()
    assert.equal(a.merchant.tier, 'standard')
  })

  test('a retried create with the same Idempotency-Key makes one merchant', async ({
    client,
    assert,
  }) => {
    const { token } = await createUser('admin')
    const body = newMerchantBody()

    const first = await client
      .post('/api/v1/admin/merchants')
      .bearerToken(token)
      .header('Idempotency-Key', `create-${body.code}`)
      .json(body)
    const retry = await client
      .post('/api/v1/admin/merchants')
      .bearerToken(token)
      .header('Idempotency-Key', `create-${body.code}`)
      .json(body)

    first.assertStatus(201)
    retry.assertStatus(201)
    assert.equal(retry.header('idempotency-replayed'), 'true')
    assert.equal(retry.body().data.id, first.body().data.id)
    const count = await Merchant.query().where('code', body.code).count('* as total')
    assert.equal(Number(count[0].$extras.total), 1)
  })
})
