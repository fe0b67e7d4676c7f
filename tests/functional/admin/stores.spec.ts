import { test } from '@japa/runner'
import AuditLog from '#models/audit_log'
import Store from '#models/store'
import { createConsoleCast, validOrder } from '#tests/helpers/fixtures'

function newStoreBody(overrides: Record<string, unknown> = {}) {
  return {
    name: '望京店',
    code: 'WJ-01',
    address: '北京市朝阳区望京街10号',
    city: '北京',
    lat: 39.9965,
    lng: 116.4707,
    contact_name: '赵店长',
    contact_phone: '13700000003',
    ...overrides,
  }
}

test.group('Admin stores: reading', () => {
  test("a merchant user lists their own stores; another merchant's are 404", async ({
    client,
    assert,
  }) => {
    const { a, b, merchantA } = await createConsoleCast()

    const own = await client
      .get(`/api/v1/admin/merchants/${a.merchant.id}/stores`)
      .bearerToken(merchantA.token)
    own.assertStatus(200)
    assert.sameMembers(
      own.body().data.map((s: { id: number }) => s.id),
      a.stores.map((s) => s.id)
    )
    assert.equal(own.body().data[0].contact_phone.length, 11)

    const other = await client
      .get(`/api/v1/admin/merchants/${b.merchant.id}/stores`)
      .bearerToken(merchantA.token)
    other.assertStatus(404)
  })

  test('operators list and read any merchant’s stores', async ({ client, assert }) => {
    const { b, operator } = await createConsoleCast()

    const list = await client
      .get(`/api/v1/admin/merchants/${b.merchant.id}/stores`)
      .bearerToken(operator.token)
    list.assertStatus(200)
    assert.lengthOf(list.body().data, 2)

    const one = await client
      .get(`/api/v1/admin/stores/${b.stores[0].id}`)
      .bearerToken(operator.token)
    one.assertStatus(200)
    assert.equal(one.body().data.merchant_id, b.merchant.id)
    assert.equal(one.body().data.code, 'S1')
  })

  test("GET /stores/:id: own store 200, another merchant's 404, integrator 403", async ({
    client,
  }) => {
    const { a, b, merchantA, integrator } = await createConsoleCast()

    const own = await client
      .get(`/api/v1/admin/stores/${a.stores[1].id}`)
      .bearerToken(merchantA.token)
    own.assertStatus(200)

    const other = await client
      .get(`/api/v1/admin/stores/${b.stores[0].id}`)
      .bearerToken(merchantA.token)
    other.assertStatus(404)

    const refused = await client
      .get(`/api/v1/admin/stores/${a.stores[0].id}`)
      .bearerToken(integrator.token)
    refused.assertStatus(403)
    const refusedList = await client
      .get(`/api/v1/admin/merchants/${a.merchant.id}/stores`)
      .bearerToken(integrator.token)
    refusedList.assertStatus(403)
  })
})

test.group('Admin stores: writing', () => {
  test('a merchant user opens a store, audited, and POS orders can use it', async ({
    client,
    assert,
  }) => {
    const { a, merchantA } = await createConsoleCast()

    const response = await client
      .post(`/api/v1/admin/merchants/${a.merchant.id}/stores`)
      .bearerToken(merchantA.token)
      .json(newStoreBody())

    response.assertStatus(201)
    const store = response.body().data
    assert.equal(store.merchant_id, a.merchant.id)
    assert.equal(store.code, 'WJ-01')
    assert.equal(store.lat, 39.9965)

    const row = await AuditLog.query()
      .where('action', 'store.create')
      .where('subject_id', String(store.id))
      .firstOrFail()
    assert.equal(row.merchantId, a.merchant.id)
    assert.equal(row.actorId, merchantA.user.id)

    const order = await client.post('/api/v1/orders').bearerToken(a.key).json(validOrder(store.id))
    order.assertStatus(201)
    assert.equal(order.body().data.store_id, store.id)
  })

  test('a merchant user cannot open a store under another merchant (404)', async ({
    client,
    assert,
  }) => {
    const { b, merchantA } = await createConsoleCast()

    const response = await client
      .post(`/api/v1/admin/merchants/${b.merchant.id}/stores`)
      .bearerToken(merchantA.token)
      .json(newStoreBody())

    response.assertStatus(404)
    const stores = await Store.query().where('merchant_id', b.merchant.id)
    assert.lengthOf(stores, 2)
  })

  test('operators and integrators may not create or change stores (403)', async ({
    client,
    assert,
  }) => {
    const { a, operator, integrator } = await createConsoleCast()

    for (const caller of [operator, integrator]) {
      const create = await client
        .post(`/api/v1/admin/merchants/${a.merchant.id}/stores`)
        .bearerToken(caller.token)
        .json(newStoreBody())
      create.assertStatus(403)

      const update = await client
        .patch(`/api/v1/admin/stores/${a.stores[0].id}`)
        .bearerToken(caller.token)
        .json({ name: 'Hijacked' })
      update.assertStatus(403)
    }
    await a.stores[0].refresh()
    assert.equal(a.stores[0].name, 'Chaoyang store')
  })

  test('an admin may open a store for any merchant', async ({ client }) => {
    const { b, admin } = await createConsoleCast()
    const response = await client
      .post(`/api/v1/admin/merchants/${b.merchant.id}/stores`)
      .bearerToken(admin.token)
      .json(newStoreBody({ code: 'ADMIN-1' }))
    response.assertStatus(201)
  })

  test('a code already used by the same merchant is a 409; another merchant may reuse it', async ({
    client,
    assert,
  }) => {
    const { a, b, merchantA, merchantB } = await createConsoleCast()

    const clash = await client
      .post(`/api/v1/admin/merchants/${a.merchant.id}/stores`)
      .bearerToken(merchantA.token)
      .json(newStoreBody({ code: 'S1' }))
    clash.assertStatus(409)
    assert.equal(clash.body().errors[0].pointer, '/code')
    assert.equal(clash.body().errors[0].rule, 'unique')

    const reuse = await client
      .post(`/api/v1/admin/merchants/${b.merchant.id}/stores`)
      .bearerToken(merchantB.token)
      .json(newStoreBody({ code: 'WJ-01' }))
    reuse.assertStatus(201)

    const renameClash = await client
      .patch(`/api/v1/admin/stores/${a.stores[1].id}`)
      .bearerToken(merchantA.token)
      .json({ code: 'S1' })
    renameClash.assertStatus(409)
    assert.equal(renameClash.body().errors[0].pointer, '/code')
  })

  test('coordinates must be inside China and phones must be Chinese numbers', async ({
    client,
    assert,
  }) => {
    const { a, merchantA } = await createConsoleCast()
    const url = `/api/v1/admin/merchants/${a.merchant.id}/stores`
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [newStoreBody({ lat: -33.8688, lng: 151.2093 }), '/lat', 'range'],
      [newStoreBody({ lng: 2.35 }), '/lng', 'range'],
      [newStoreBody({ lat: 'north' }), '/lat', 'number'],
      [newStoreBody({ contact_phone: '+44 20 7946 0000' }), '/contact_phone', 'regex'],
      [newStoreBody({ name: '' }), '/name', 'minLength'],
      [newStoreBody({ address: undefined }), '/address', 'required'],
    ]
    for (const [body, pointer, rule] of cases) {
      const response = await client.post(url).bearerToken(merchantA.token).json(body)
      response.assertStatus(422)
      assert.equal(response.body().errors[0].pointer, pointer, JSON.stringify(body))
      assert.equal(response.body().errors[0].rule, rule, JSON.stringify(body))
    }
  })

  test('a merchant user updates their store; the audit row holds the diff', async ({
    client,
    assert,
  }) => {
    const { a, merchantA } = await createConsoleCast()
    const store = a.stores[0]

    const response = await client
      .patch(`/api/v1/admin/stores/${store.id}`)
      .bearerToken(merchantA.token)
      .json({ name: '朝阳旗舰店', contact_phone: '010-12345678' })

    response.assertStatus(200)
    assert.equal(response.body().data.name, '朝阳旗舰店')
    assert.equal(response.body().data.contact_phone, '010-12345678')
    assert.equal(response.body().data.address, store.address)

    const row = await AuditLog.query()
      .where('action', 'store.update')
      .where('subject_id', String(store.id))
      .firstOrFail()
    assert.deepEqual(row.changes, {
      name: { from: 'Chaoyang store', to: '朝阳旗舰店' },
      contact_phone: { from: '13900000001', to: '010-12345678' },
    })
  })

  test("another merchant's store cannot be updated (404) and stays as it was", async ({
    client,
    assert,
  }) => {
    const { b, merchantA } = await createConsoleCast()

    const response = await client
      .patch(`/api/v1/admin/stores/${b.stores[0].id}`)
      .bearerToken(merchantA.token)
      .json({ name: 'Hijacked' })

    response.assertStatus(404)
    await b.stores[0].refresh()
    assert.equal(b.stores[0].name, 'Chaoyang store')
    const rows = await AuditLog.query()
      .where('action', 'store.update')
      .where('subject_id', String(b.stores[0].id))
    assert.lengthOf(rows, 0)
  })
})
