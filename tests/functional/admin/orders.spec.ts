import { test } from '@japa/runner'
import AuditLog from '#models/audit_log'
import Order from '#models/order'
import { createConsoleCast, createOrderFor } from '#tests/helpers/fixtures'

/** validOrder()'s recipient, as stored and as masked. */
const FULL_PHONE = '13812345678'
const MASKED_PHONE = '138****5678'

async function castWithOrders() {
  const cast = await createConsoleCast()
  const orderA = await createOrderFor(cast.a.merchant, cast.a.stores[0].id)
  const orderB = await createOrderFor(cast.b.merchant, cast.b.stores[0].id)
  return { ...cast, orderA, orderB }
}

test.group('Admin orders: reading', () => {
  test('a merchant user lists only their own orders, masked, whatever merchant_id says', async ({
    client,
    assert,
  }) => {
    const { b, merchantA, orderA } = await castWithOrders()

    const response = await client
      .get('/api/v1/admin/orders')
      .qs({ merchant_id: b.merchant.id })
      .bearerToken(merchantA.token)

    response.assertStatus(200)
    const orders = response.body().data
    assert.deepEqual(
      orders.map((o: { id: number }) => o.id),
      [orderA.id]
    )
    assert.equal(orders[0].recipient.phone, MASKED_PHONE)
  })

  test('staff list every merchant, narrow by merchant_id, and see lists masked', async ({
    client,
    assert,
  }) => {
    const { b, operator, orderA, orderB } = await castWithOrders()

    const all = await client
      .get('/api/v1/admin/orders')
      .qs({ limit: 200 })
      .bearerToken(operator.token)
    all.assertStatus(200)
    const ids = all.body().data.map((o: { id: number }) => o.id)
    assert.includeMembers(ids, [orderA.id, orderB.id])

    const narrowed = await client
      .get('/api/v1/admin/orders')
      .qs({ merchant_id: b.merchant.id })
      .bearerToken(operator.token)
    narrowed.assertStatus(200)
    assert.deepEqual(
      narrowed.body().data.map((o: { id: number }) => o.id),
      [orderB.id]
    )
    assert.equal(narrowed.body().data[0].recipient.phone, MASKED_PHONE)
  })

  test('a single order: staff see the recipient in full, merchant users masked', async ({
    client,
    assert,
  }) => {
    const { admin, operator, merchantA, orderA } = await castWithOrders()

    for (const staff of [admin, operator]) {
      const response = await client
        .get(`/api/v1/admin/orders/${orderA.id}`)
        .bearerToken(staff.token)
      response.assertStatus(200)
      assert.equal(response.body().data.recipient.phone, FULL_PHONE)
      assert.equal(response.body().data.recipient.name, '张三')
    }

    const merchant = await client
      .get(`/api/v1/admin/orders/${orderA.id}`)
      .bearerToken(merchantA.token)
    merchant.assertStatus(200)
    const recipient = merchant.body().data.recipient
    assert.equal(recipient.phone, MASKED_PHONE)
    assert.equal(recipient.name, '张*')
    assert.notMatch(recipient.address, /\d/)
  })

  test("another merchant's order is 404 to a merchant user", async ({ client }) => {
    const { merchantA, orderB } = await castWithOrders()
    const response = await client
      .get(`/api/v1/admin/orders/${orderB.id}`)
      .bearerToken(merchantA.token)
    response.assertStatus(404)
  })

  test('integrators see no orders (403)', async ({ client }) => {
    const { integrator, orderA } = await castWithOrders()

    const list = await client.get('/api/v1/admin/orders').bearerToken(integrator.token)
    list.assertStatus(403)
    const one = await client.get(`/api/v1/admin/orders/${orderA.id}`).bearerToken(integrator.token)
    one.assertStatus(403)
    const cancel = await client
      .post(`/api/v1/admin/orders/${orderA.id}/cancel`)
      .bearerToken(integrator.token)
    cancel.assertStatus(403)
  })

  test('filters are validated like the POS list', async ({ client, assert }) => {
    const { operator } = await castWithOrders()

    const response = await client
      .get('/api/v1/admin/orders')
      .qs({ status: 'teleported' })
      .bearerToken(operator.token)

    response.assertStatus(422)
    assert.equal(response.body().errors[0].pointer, '/status')
    assert.equal(response.body().errors[0].rule, 'enum')
  })
})

test.group('Admin orders: cancel', () => {
  test('a merchant user cancels their order with a reason; it is audited', async ({
    client,
    assert,
  }) => {
    const { a, merchantA, orderA } = await castWithOrders()

    const response = await client
      .post(`/api/v1/admin/orders/${orderA.id}/cancel`)
      .bearerToken(merchantA.token)
      .json({ reason: '顾客取消' })

    response.assertStatus(200)
    assert.equal(response.body().data.status, 'cancelled')
    assert.equal(response.body().data.cancel_reason, '顾客取消')
    assert.equal(response.body().data.recipient.phone, MASKED_PHONE)

    const row = await AuditLog.query()
      .where('action', 'order.cancel')
      .where('subject_id', String(orderA.id))
      .firstOrFail()
    assert.equal(row.merchantId, a.merchant.id)
    assert.equal(row.actorId, merchantA.user.id)
    assert.deepEqual(row.changes, {
      reason: '顾客取消',
      status: { from: 'created', to: 'cancelled' },
      cancel_fee_fen: 0,
    })

    const again = await client
      .post(`/api/v1/admin/orders/${orderA.id}/cancel`)
      .bearerToken(merchantA.token)
    again.assertStatus(409)
  })

  test('operators and admins cancel any merchant’s order, without a body', async ({
    client,
    assert,
  }) => {
    const { a, admin, operator, orderB } = await castWithOrders()
    const second = await createOrderFor(a.merchant, a.stores[1].id)

    const byOperator = await client
      .post(`/api/v1/admin/orders/${orderB.id}/cancel`)
      .bearerToken(operator.token)
    byOperator.assertStatus(200)
    assert.equal(byOperator.body().data.status, 'cancelled')
    assert.isNull(byOperator.body().data.cancel_reason)

    const byAdmin = await client
      .post(`/api/v1/admin/orders/${second.id}/cancel`)
      .bearerToken(admin.token)
      .json({})
    byAdmin.assertStatus(200)
  })

  test("another merchant's order cannot be cancelled (404) and keeps its status", async ({
    client,
    assert,
  }) => {
    const { merchantA, orderB } = await castWithOrders()

    const response = await client
      .post(`/api/v1/admin/orders/${orderB.id}/cancel`)
      .bearerToken(merchantA.token)
      .json({ reason: 'not mine' })

    response.assertStatus(404)
    const stored = await Order.findOrFail(orderB.id)
    assert.equal(stored.status, 'created')
  })

  test('a reason over 255 characters is refused naming /reason', async ({ client, assert }) => {
    const { merchantA, orderA } = await castWithOrders()

    const response = await client
      .post(`/api/v1/admin/orders/${orderA.id}/cancel`)
      .bearerToken(merchantA.token)
      .json({ reason: 'x'.repeat(256) })

    response.assertStatus(422)
    assert.equal(response.body().errors[0].pointer, '/reason')
    assert.equal(response.body().errors[0].rule, 'maxLength')
  })
})
