import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import IdempotencyKey from '#models/idempotency_key'
import { countOrders, createTenant, validOrder } from '#tests/helpers/fixtures'
import { pruneExpired } from '#services/idempotency_service'

test.group('Idempotency-Key', () => {
  test('same key and body → the stored response is replayed, one order written', async ({
    client,
    assert,
  }) => {
    const { key, stores, merchant } = await createTenant()
    const body = validOrder(stores[0].id)

    const first = await client
      .post('/api/v1/orders')
      .bearerToken(key)
      .header('idempotency-key', 'k-1')
      .json(body)
    const second = await client
      .post('/api/v1/orders')
      .bearerToken(key)
      .header('idempotency-key', 'k-1')
      .json(body)

    first.assertStatus(201)
    second.assertStatus(201)
    assert.deepEqual(second.body(), first.body())
    assert.equal(second.header('idempotency-replayed'), 'true')
    assert.isUndefined(first.header('idempotency-replayed'))
    assert.equal(await countOrders(merchant.id), 1)
  })

  test('key order and whitespace in the body do not count as a different body', async ({
    client,
    assert,
  }) => {
    const { key, stores } = await createTenant()
    const body = validOrder(stores[0].id)
    const reordered = Object.fromEntries(Object.entries(body).reverse())

    const first = await client
      .post('/api/v1/orders')
      .bearerToken(key)
      .header('idempotency-key', 'k-2')
      .json(body)
    const second = await client
      .post('/api/v1/orders')
      .bearerToken(key)
      .header('idempotency-key', 'k-2')
      .json(reordered)
    assert.equal(second.status(), 201)
    assert.equal(second.body().data.id, first.body().data.id)
  })

  test('same key with a different body → 422', async ({ client, assert }) => {
    const { key, stores, merchant } = await createTenant()
    await client
      .post('/api/v1/orders')
      .bearerToken(key)
      .header('idempotency-key', 'k-3')
      .json(validOrder(stores[0].id))
    const response = await client
      .post('/api/v1/orders')
      .bearerToken(key)
      .header('idempotency-key', 'k-3')
      .json(validOrder(stores[0].id))
    response.assertStatus(422)
    assert.match(response.body().type, /idempotency-key-reused$/)
    assert.equal(await countOrders(merchant.id), 1)
  })

  test('same key on another route → 422', async ({ client }) => {
    const { key, stores } = await createTenant()
    const body = validOrder(stores[0].id)
    await client.post('/api/v1/orders').bearerToken(key).header('idempotency-key', 'k-4').json(body)
    const response = await client
      .post('/api/v1/orders/batch')
      .bearerToken(key)
      .header('idempotency-key', 'k-4')
      .json({ orders: [body] })
    response.assertStatus(422)
  })

  test('concurrent requests with one key: exactly one runs, the others replay or get 409', async ({
    client,
    assert,
  }) => {
    const { key, stores, merchant } = await createTenant()
    const orders = Array.from({ length: 400 }, (_, i) =>
      validOrder(stores[0].id, { external_id: `C-${i}` })
    )

    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        client
          .post('/api/v1/orders/batch')
          .bearerToken(key)
          .header('idempotency-key', 'k-conc')
          .json({ orders })
      )
    )

    const statuses = responses.map((r) => r.status())
    assert.isTrue(
      statuses.every((s) => s === 201 || s === 409),
      statuses.join(',')
    )
    const created = responses.filter((r) => r.status() === 201)
    assert.isAtLeast(created.length, 1)
    const batchIds = new Set(created.map((r) => r.body().data.batch.id))
    assert.equal(batchIds.size, 1, 'every 201 is the same batch')
    for (const conflict of responses.filter((r) => r.status() === 409)) {
      assert.match(conflict.body().type, /idempotency-key-in-flight$/)
    }
    assert.equal(await countOrders(merchant.id), 400)
  })

  test('a key from one merchant does not collide with the same key of another', async ({
    client,
    assert,
  }) => {
    const a = await createTenant()
    const b = await createTenant()
    const ra = await client
      .post('/api/v1/orders')
      .bearerToken(a.key)
      .header('idempotency-key', 'shared')
      .json(validOrder(a.stores[0].id))
    const rb = await client
      .post('/api/v1/orders')
      .bearerToken(b.key)
      .header('idempotency-key', 'shared')
      .json(validOrder(b.stores[0].id))
    ra.assertStatus(201)
    rb.assertStatus(201)
    assert.notEqual(ra.body().data.id, rb.body().data.id)
    assert.equal(rb.body().data.merchant_id, b.merchant.id)
  })

  test('a failed request (validation error) is not stored: the key can be retried with a fixed body', async ({
    client,
    assert,
  }) => {
    const { key, stores } = await createTenant()
    const bad = validOrder(stores[0].id, { weight_g: 0 })
    const failed = await client
      .post('/api/v1/orders')
      .bearerToken(key)
      .header('idempotency-key', 'k-5')
      .json(bad)
    failed.assertStatus(422)

    const fixed = await client
      .post('/api/v1/orders')
      .bearerToken(key)
      .header('idempotency-key', 'k-5')
      .json({ ...bad, weight_g: 900 })
    fixed.assertStatus(201)
    assert.equal(fixed.body().data.weight_g, 900)
  })

  test('a key longer than 255 characters → 400', async ({ client, assert }) => {
    const { key, stores } = await createTenant()
    const response = await client
      .post('/api/v1/orders')
      .bearerToken(key)
      .header('idempotency-key', 'x'.repeat(256))
      .json(validOrder(stores[0].id))
    response.assertStatus(400)
    assert.match(response.body().type, /invalid-idempotency-key$/)
  })

  test('keys are kept 24 hours, then pruned and reusable', async ({ client, assert }) => {
    const { key, stores, merchant } = await createTenant()
    const body = validOrder(stores[0].id)
    await client
      .post('/api/v1/orders')
      .bearerToken(key)
      .header('idempotency-key', 'k-old')
      .json(body)

    const stored = await IdempotencyKey.query()
      .where({ scope: `merchant:${merchant.id}`, key: 'k-old' })
      .firstOrFail()
    const hours = stored.expiresAt.diff(stored.createdAt, 'hours').hours
    assert.closeTo(hours, 24, 0.01)

    stored.expiresAt = DateTime.utc().minus({ minutes: 1 })
    await stored.save()
    assert.isAtLeast(await pruneExpired(true), 1)
    assert.isNull(await IdempotencyKey.find(stored.id))

    // The old key is free again: a new body is a new request, not a conflict.
    const again = await client
      .post('/api/v1/orders')
      .bearerToken(key)
      .header('idempotency-key', 'k-old')
      .json(validOrder(stores[0].id))
    again.assertStatus(201)
  })

  test('a lease left by a crashed request is taken over after it expires', async ({
    client,
    assert,
  }) => {
    const { key, stores, merchant } = await createTenant()
    const body = validOrder(stores[0].id)
    const { requestDigest } = await import('#services/idempotency_service')
    await IdempotencyKey.create({
      scope: `merchant:${merchant.id}`,
      key: 'k-crashed',
      method: 'POST',
      path: '/api/v1/orders',
      requestHash: requestDigest('POST', '/api/v1/orders', body),
      state: 'in_flight',
      lockedUntil: DateTime.utc().minus({ seconds: 5 }),
      expiresAt: DateTime.utc().plus({ hours: 23 }),
    })
    const response = await client
      .post('/api/v1/orders')
      .bearerToken(key)
      .header('idempotency-key', 'k-crashed')
      .json(body)
    response.assertStatus(201)
    const record = await IdempotencyKey.query()
      .where({ scope: `merchant:${merchant.id}`, key: 'k-crashed' })
      .firstOrFail()
    assert.equal(record.state, 'completed')
  })

  test('cancel is idempotent with a key: the retry replays instead of failing', async ({
    client,
    assert,
  }) => {
    const { key, stores } = await createTenant()
    const created = await client
      .post('/api/v1/orders')
      .bearerToken(key)
      .json(validOrder(stores[0].id))
    const id = created.body().data.id
    const first = await client
      .post(`/api/v1/orders/${id}/cancel`)
      .bearerToken(key)
      .header('idempotency-key', 'c-1')
      .json({ reason: 'customer' })
    const retry = await client
      .post(`/api/v1/orders/${id}/cancel`)
      .bearerToken(key)
      .header('idempotency-key', 'c-1')
      .json({ reason: 'customer' })
    first.assertStatus(200)
    retry.assertStatus(200)
    assert.equal(retry.header('idempotency-replayed'), 'true')
    const withoutKey = await client
      .post(`/api/v1/orders/${id}/cancel`)
      .bearerToken(key)
      .json({ reason: 'customer' })
    withoutKey.assertStatus(409)
  })
})
