import { test } from '@japa/runner'
import { createTenant, validOrder } from '#tests/helpers/fixtures'

test.group('POST /api/v1/orders', () => {
  test('creates an order and returns it in full to its own POS', async ({ client, assert }) => {
    const { key, stores, merchant } = await createTenant()
    const body = validOrder(stores[0].id)

    const response = await client.post('/api/v1/orders').bearerToken(key).json(body)

    response.assertStatus(201)
    const order = response.body().data
    assert.isNumber(order.id)
    assert.equal(order.merchant_id, merchant.id)
    assert.equal(order.status, 'created')
    assert.equal(order.recipient.phone, '13812345678')
    assert.equal(order.channel, 'pos')
    assert.equal(order.declared_value_fen, 5800)
    assert.deepEqual(order.tags, ['lunch'])
    assert.isNull(order.delivery_window)
  })

  test('rejects a resend of the same channel and external id with 409', async ({
    client,
    assert,
  }) => {
    const { key, stores } = await createTenant()
    const body = validOrder(stores[0].id)
    const first = await client.post('/api/v1/orders').bearerToken(key).json(body)
    first.assertStatus(201)

    const second = await client.post('/api/v1/orders').bearerToken(key).json(body)
    second.assertStatus(409)
    assert.equal(second.body().errors[0].pointer, '/external_id')
    assert.include(second.body().detail, String(first.body().data.id))
  })
})
