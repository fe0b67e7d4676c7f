import { test } from '@japa/runner'
import AuditLog from '#models/audit_log'
import { countOrders, createTenant, validOrder } from '#tests/helpers/fixtures'

test.group('Batch intake', () => {
  test('valid orders are kept when others in the batch are bad; one result per input', async ({
    client,
    assert,
  }) => {
    const { key, stores, merchant } = await createTenant()
    const good = (i: number) => validOrder(stores[i % 2].id, { external_id: `G-${i}` })
    const orders = [
      good(0),
      { ...good(1), weight_g: -5 },
      good(2),
      { ...good(3), recipient: { phone: 'x' } },
      good(4),
      good(0),
    ]

    const response = await client.post('/api/v1/orders/batch').bearerToken(key).json({ orders })

    response.assertStatus(201)
    const { batch, results } = response.body().data
    assert.equal(batch.total, 6)
    assert.equal(batch.accepted, 3)
    assert.equal(batch.rejected, 3)
    assert.deepEqual(
      results.map((r: any) => r.status),
      ['accepted', 'rejected', 'accepted', 'rejected', 'accepted', 'rejected']
    )
    assert.equal(results[1].errors[0].pointer, '/orders/1/weight_g')
    assert.includeMembers(
      results[3].errors.map((e: any) => e.pointer),
      ['/orders/3/recipient/phone', '/orders/3/recipient/name']
    )
    assert.equal(results[5].errors[0].pointer, '/orders/5/external_id')
    assert.equal(results[5].errors[0].rule, 'unique')
    assert.equal(await countOrders(merchant.id), 3)

    const listed = await client.get('/api/v1/orders').bearerToken(key).qs({ batch_id: batch.id })
    assert.sameMembers(
      listed.body().data.map((o: any) => o.id),
      results.filter((r: any) => r.status === 'accepted').map((r: any) => r.order_id)
    )
  })

  test('orders that already exist are rejected with their id, the rest accepted', async ({
    client,
    assert,
  }) => {
    const { key, stores } = await createTenant()
    const existing = await client
      .post('/api/v1/orders')
      .bearerToken(key)
      .json(validOrder(stores[0].id, { external_id: 'E-1' }))
    const response = await client
      .post('/api/v1/orders/batch')
      .bearerToken(key)
      .json({
        orders: [
          validOrder(stores[0].id, { external_id: 'E-1' }),
          validOrder(stores[0].id, { external_id: 'E-2' }),
        ],
      })
    const results = response.body().data.results
    assert.equal(results[0].status, 'rejected')
    assert.include(results[0].errors[0].message, String(existing.body().data.id))
    assert.equal(results[1].status, 'accepted')
  })

  test('two overlapping batches at once: each order is stored once, the other batch names its id', async ({
    client,
    assert,
  }) => {
    const { key, stores, merchant } = await createTenant()
    const order = (i: number) => validOrder(stores[i % 2].id, { external_id: `OV-${i}` })
    // 0-599 and 300-899: 300 orders in both batches.
    const first = Array.from({ length: 600 }, (_, i) => order(i))
    const second = Array.from({ length: 600 }, (_, i) => order(i + 300))
    const [a, b] = await Promise.all(
      [first, second].map((orders) =>
        client.post('/api/v1/orders/batch').bearerToken(key).json({ orders })
      )
    )
    a.assertStatus(201)
    b.assertStatus(201)
    const accepted = new Map<string, number>()
    const rejected: { externalId: string; message: string }[] = []
    for (const response of [a, b]) {
      for (const result of response.body().data.results) {
        if (result.status === 'accepted') {
          assert.isFalse(accepted.has(result.external_id), `${result.external_id} accepted twice`)
          accepted.set(result.external_id, result.order_id)
        } else {
          assert.equal(result.errors[0].rule, 'unique')
          rejected.push({ externalId: result.external_id, message: result.errors[0].message })
        }
      }
    }
    assert.equal(accepted.size, 900)
    assert.lengthOf(rejected, 300)
    for (const { externalId, message } of rejected) {
      assert.include(message, `(id ${accepted.get(externalId)})`)
    }
    assert.equal(await countOrders(merchant.id), 900)
    const totals = [a, b].map((r) => r.body().data.batch.accepted)
    assert.equal(totals[0] + totals[1], 900)
  }).timeout(60_000)

  test('5,000 orders are accepted in one request with distinct ids', async ({ client, assert }) => {
    const { key, stores, merchant } = await createTenant()
    const orders = Array.from({ length: 5000 }, (_, i) =>
      validOrder(stores[i % 2].id, { external_id: `BIG-${i}` })
    )
    const response = await client.post('/api/v1/orders/batch').bearerToken(key).json({ orders })
    response.assertStatus(201)
    const results = response.body().data.results
    assert.lengthOf(results, 5000)
    assert.isTrue(results.every((r: any, i: number) => r.status === 'accepted' && r.index === i))
    assert.equal(new Set(results.map((r: any) => r.order_id)).size, 5000)
    assert.equal(await countOrders(merchant.id), 5000)
  }).timeout(60_000)
})

test.group('Orders: read, list, cancel', () => {
  test('lists newest first with cursor pagination and filters', async ({ client, assert }) => {
    const { key, stores } = await createTenant()
    const ids: number[] = []
    for (let i = 0; i < 5; i++) {
      const r = await client
        .post('/api/v1/orders')
        .bearerToken(key)
        .json(validOrder(stores[i % 2].id, { channel: i === 4 ? 'phone' : 'pos' }))
      ids.push(r.body().data.id)
    }

    const page1 = await client.get('/api/v1/orders').bearerToken(key).qs({ limit: 2 })
    page1.assertStatus(200)
    assert.deepEqual(
      page1.body().data.map((o: any) => o.id),
      [ids[4], ids[3]]
    )
    const cursor = page1.body().metadata.next_cursor
    assert.isString(cursor)

    const page2 = await client.get('/api/v1/orders').bearerToken(key).qs({ limit: 2, cursor })
    assert.deepEqual(
      page2.body().data.map((o: any) => o.id),
      [ids[2], ids[1]]
    )
    const page3 = await client
      .get('/api/v1/orders')
      .bearerToken(key)
      .qs({ limit: 2, cursor: page2.body().metadata.next_cursor })
    assert.deepEqual(
      page3.body().data.map((o: any) => o.id),
      [ids[0]]
    )
    assert.isNull(page3.body().metadata.next_cursor)

    const byStore = await client
      .get('/api/v1/orders')
      .bearerToken(key)
      .qs({ store_id: stores[1].id })
    assert.deepEqual(
      byStore.body().data.map((o: any) => o.id),
      [ids[3], ids[1]]
    )
    const byChannel = await client.get('/api/v1/orders').bearerToken(key).qs({ channel: 'phone' })
    assert.deepEqual(
      byChannel.body().data.map((o: any) => o.id),
      [ids[4]]
    )

    await client.post(`/api/v1/orders/${ids[0]}/cancel`).bearerToken(key).json({})
    const cancelled = await client
      .get('/api/v1/orders')
      .bearerToken(key)
      .qs({ status: 'cancelled' })
    assert.deepEqual(
      cancelled.body().data.map((o: any) => o.id),
      [ids[0]]
    )

    const future = await client
      .get('/api/v1/orders')
      .bearerToken(key)
      .qs({ created_from: '2099-01-01' })
    assert.lengthOf(future.body().data, 0)
    const past = await client
      .get('/api/v1/orders')
      .bearerToken(key)
      .qs({ created_to: '2099-01-01T00:00:00Z' })
    assert.lengthOf(past.body().data, 5)
  })

  test('lists mask the recipient; the single order shows it in full to its POS', async ({
    client,
    assert,
  }) => {
    const { key, stores } = await createTenant()
    const created = await client
      .post('/api/v1/orders')
      .bearerToken(key)
      .json(validOrder(stores[0].id))
    const id = created.body().data.id

    const list = await client.get('/api/v1/orders').bearerToken(key)
    const listed = list.body().data[0]
    assert.equal(listed.recipient.phone, '138****5678')
    assert.notInclude(listed.recipient.address, '1502')
    assert.include(listed.recipient.address, '北京市朝阳区光华路')
    assert.equal(listed.recipient.name, '张*')
    assert.notInclude(list.text(), '13812345678')

    const single = await client.get(`/api/v1/orders/${id}`).bearerToken(key)
    assert.equal(single.body().data.recipient.phone, '13812345678')
  })

  test('stores a scheduled delivery window in UTC', async ({ client, assert }) => {
    const { key, stores } = await createTenant()
    const start = new Date(Date.now() + 3600_000)
    start.setUTCMilliseconds(0)
    const end = new Date(start.getTime() + 1800_000)
    const response = await client
      .post('/api/v1/orders')
      .bearerToken(key)
      .json(
        validOrder(stores[0].id, {
          delivery_window: { start: start.toISOString(), end: end.toISOString() },
        })
      )
    response.assertStatus(201)
    const window = response.body().data.delivery_window
    assert.equal(Date.parse(window.start), start.getTime())
    assert.equal(Date.parse(window.end), end.getTime())
  })

  test('accepts store_code instead of store_id', async ({ client, assert }) => {
    const { key, stores } = await createTenant()
    const body: Record<string, unknown> = validOrder(stores[1].id, { store_code: 'S2' })
    delete body.store_id
    const response = await client.post('/api/v1/orders').bearerToken(key).json(body)
    response.assertStatus(201)
    assert.equal(response.body().data.store_id, stores[1].id)
  })

  test('cancel moves a new order to cancelled, audits it, and refuses a second cancel', async ({
    client,
    assert,
  }) => {
    const { key, stores, merchant } = await createTenant()
    const created = await client
      .post('/api/v1/orders')
      .bearerToken(key)
      .json(validOrder(stores[0].id))
    const id = created.body().data.id

    const response = await client
      .post(`/api/v1/orders/${id}/cancel`)
      .bearerToken(key)
      .json({ reason: 'customer changed mind' })
    response.assertStatus(200)
    assert.equal(response.body().data.status, 'cancelled')
    assert.equal(response.body().data.cancel_reason, 'customer changed mind')
    assert.isString(response.body().data.cancelled_at)

    const audit = await AuditLog.query()
      .where({ action: 'order.cancel', subject_id: String(id) })
      .firstOrFail()
    assert.equal(audit.actorType, 'api_key')
    assert.equal(audit.merchantId, merchant.id)

    const again = await client.post(`/api/v1/orders/${id}/cancel`).bearerToken(key)
    again.assertStatus(409)
    assert.match(again.body().type, /order-not-cancellable$/)
  })

  test('cancel rejects unknown fields in its body', async ({ client, assert }) => {
    const { key, stores } = await createTenant()
    const created = await client
      .post('/api/v1/orders')
      .bearerToken(key)
      .json(validOrder(stores[0].id))
    const response = await client
      .post(`/api/v1/orders/${created.body().data.id}/cancel`)
      .bearerToken(key)
      .json({ why: 'x' })
    response.assertStatus(422)
    assert.equal(response.body().errors[0].pointer, '/why')
  })
})

test.group('Intake tenant isolation', () => {
  test('another merchant cannot read, list or cancel my orders (404, nothing leaks)', async ({
    client,
    assert,
  }) => {
    const mine = await createTenant()
    const theirs = await createTenant()
    const created = await client
      .post('/api/v1/orders')
      .bearerToken(mine.key)
      .json(validOrder(mine.stores[0].id))
    const id = created.body().data.id

    const read = await client.get(`/api/v1/orders/${id}`).bearerToken(theirs.key)
    read.assertStatus(404)
    const cancel = await client.post(`/api/v1/orders/${id}/cancel`).bearerToken(theirs.key).json({})
    cancel.assertStatus(404)
    const list = await client.get('/api/v1/orders').bearerToken(theirs.key)
    assert.notInclude(
      list.body().data.map((o: any) => o.id),
      id
    )
    const filtered = await client
      .get('/api/v1/orders')
      .bearerToken(theirs.key)
      .qs({ store_id: mine.stores[0].id })
    assert.lengthOf(filtered.body().data, 0)
    const batch = await client.get('/api/v1/orders').bearerToken(theirs.key).qs({ batch_id: 1 })
    assert.isTrue(batch.body().data.every((o: any) => o.merchant_id === theirs.merchant.id))

    const mineStill = await client.get(`/api/v1/orders/${id}`).bearerToken(mine.key)
    assert.equal(mineStill.body().data.status, 'created')
  })

  test('the same external id may exist at two merchants', async ({ client }) => {
    const a = await createTenant()
    const b = await createTenant()
    const ra = await client
      .post('/api/v1/orders')
      .bearerToken(a.key)
      .json(validOrder(a.stores[0].id, { external_id: 'SAME' }))
    const rb = await client
      .post('/api/v1/orders')
      .bearerToken(b.key)
      .json(validOrder(b.stores[0].id, { external_id: 'SAME' }))
    ra.assertStatus(201)
    rb.assertStatus(201)
  })
})
