import { test } from '@japa/runner'
import { countOrders, createTenant, rawRequest, validOrder } from '#tests/helpers/fixtures'

type Case = [label: string, mutate: (order: any) => void, pointer: string, rule: string]

/** Each case breaks one thing in an otherwise valid order. */
const cases: Case[] = [
  ['missing external_id', (o) => delete o.external_id, '/external_id', 'required'],
  ['missing recipient', (o) => delete o.recipient, '/recipient', 'required'],
  ['missing recipient phone', (o) => delete o.recipient.phone, '/recipient/phone', 'required'],
  ['unknown top-level field', (o) => (o.priority = 'high'), '/priority', 'additionalProperties'],
  [
    'unknown nested field',
    (o) => (o.recipient.floor = 3),
    '/recipient/floor',
    'additionalProperties',
  ],
  ['weight as string', (o) => (o.weight_g = '1200'), '/weight_g', 'type'],
  ['weight fractional', (o) => (o.weight_g = 12.5), '/weight_g', 'type'],
  ['weight zero', (o) => (o.weight_g = 0), '/weight_g', 'minimum'],
  ['weight above 50 kg', (o) => (o.weight_g = 50_001), '/weight_g', 'maximum'],
  ['money negative', (o) => (o.declared_value_fen = -1), '/declared_value_fen', 'minimum'],
  ['money in yuan decimals', (o) => (o.declared_value_fen = 58.5), '/declared_value_fen', 'type'],
  ['money too large', (o) => (o.declared_value_fen = 10_000_001), '/declared_value_fen', 'maximum'],
  ['phone too short', (o) => (o.recipient.phone = '1381234'), '/recipient/phone', 'pattern'],
  ['phone with letters', (o) => (o.recipient.phone = '1381234567x'), '/recipient/phone', 'pattern'],
  ['latitude out of China', (o) => (o.recipient.lat = 60), '/recipient/lat', 'maximum'],
  ['longitude out of range', (o) => (o.recipient.lng = -200), '/recipient/lng', 'minimum'],
  ['coordinates as strings', (o) => (o.recipient.lat = '39.9'), '/recipient/lat', 'type'],
  ['unknown category', (o) => (o.category = 'weapons'), '/category', 'enum'],
  ['tags not an array', (o) => (o.tags = 'vip'), '/tags', 'type'],
  ['duplicate tags', (o) => (o.tags = ['vip', 'vip']), '/tags', 'uniqueItems'],
  ['empty items summary', (o) => (o.items_summary = ''), '/items_summary', 'minLength'],
  ['external id too long', (o) => (o.external_id = 'x'.repeat(65)), '/external_id', 'maxLength'],
  ['bad channel', (o) => (o.channel = 'POS!'), '/channel', 'pattern'],
  [
    'window end before start',
    (o) => (o.delivery_window = { start: '2099-01-01T10:00:00Z', end: '2099-01-01T09:00:00Z' }),
    '/delivery_window/end',
    'after',
  ],
  [
    'window not a date',
    (o) => (o.delivery_window = { start: 'tomorrow', end: '2099-01-01T09:00:00Z' }),
    '/delivery_window/start',
    'format',
  ],
  [
    'window in the past',
    (o) => (o.delivery_window = { start: '2020-01-01T09:00:00Z', end: '2020-01-01T10:00:00Z' }),
    '/delivery_window/end',
    'future',
  ],
  ['store of no one', (o) => (o.store_id = 999_999), '/store_id', 'exists'],
  ['store id and code', (o) => (o.store_code = 'S1'), '/store_code', 'oneOf'],
  ['no store at all', (o) => delete o.store_id, '/store_id', 'required'],
]

test.group('Intake bad-input matrix', () => {
  test('{0} → 422 naming {2} and rule {3}')
    .with(cases)
    .run(async ({ client, assert }, [, mutate, pointer, rule]) => {
      const { key, stores, merchant } = await createTenant()
      const body = validOrder(stores[0].id)
      mutate(body)

      const response = await client.post('/api/v1/orders').bearerToken(key).json(body)

      response.assertStatus(422)
      const problem = response.body()
      assert.match(problem.type, /validation-failed$/)
      assert.equal(problem.status, 422)
      const match = problem.errors.find((e: any) => e.pointer === pointer)
      assert.exists(match, `expected an error at ${pointer}, got ${JSON.stringify(problem.errors)}`)
      assert.equal(match.rule, rule)
      assert.isString(match.message)
      assert.equal(await countOrders(merchant.id), 0, 'nothing written')
    })

  test('a store of another merchant is rejected as unknown', async ({ client, assert }) => {
    const a = await createTenant()
    const b = await createTenant()
    const response = await client
      .post('/api/v1/orders')
      .bearerToken(a.key)
      .json(validOrder(b.stores[0].id))
    response.assertStatus(422)
    assert.equal(response.body().errors[0].pointer, '/store_id')
  })

  test('malformed JSON → 400 problem body', async ({ assert }) => {
    const { key } = await createTenant()
    const response = await rawRequest('POST', '/api/v1/orders', {
      body: '{"external_id": "x",',
      headers: { 'authorization': `Bearer ${key}`, 'content-type': 'application/json' },
    })
    assert.equal(response.status, 400)
    assert.equal(response.headers.get('content-type')?.split(';')[0], 'application/problem+json')
    assert.match(response.json.type, /malformed-json$/)
    assert.equal(response.json.errors[0].rule, 'json')
  })

  test('a JSON string instead of an object → 4xx problem, never 500', async ({ assert }) => {
    const { key } = await createTenant()
    const response = await rawRequest('POST', '/api/v1/orders', {
      body: '"hello"',
      headers: { 'authorization': `Bearer ${key}`, 'content-type': 'application/json' },
    })
    assert.isAtLeast(response.status, 400)
    assert.isBelow(response.status, 500)
    assert.isArray(response.json.errors)
  })

  test('a JSON array instead of an object → 422 at the root', async ({ client, assert }) => {
    const { key } = await createTenant()
    const response = await client.post('/api/v1/orders').bearerToken(key).json([1, 2])
    response.assertStatus(422)
    assert.equal(response.body().errors[0].pointer, '')
    assert.equal(response.body().errors[0].rule, 'type')
  })

  test('wrong content type → 415', async ({ assert }) => {
    const { key } = await createTenant()
    const response = await rawRequest('POST', '/api/v1/orders', {
      body: 'external_id=1',
      headers: {
        'authorization': `Bearer ${key}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
    })
    assert.equal(response.status, 415)
    assert.match(response.json.type, /unsupported-media-type$/)
  })

  test('no content type at all → 415', async ({ assert }) => {
    const { key } = await createTenant()
    const response = await rawRequest('POST', '/api/v1/orders', {
      body: '{}',
      headers: { authorization: `Bearer ${key}` },
    })
    assert.equal(response.status, 415)
  })

  test('a single order above 64 KB → 413', async ({ client, assert }) => {
    const { key, stores } = await createTenant()
    const body = { ...validOrder(stores[0].id), notes: 'x'.repeat(70 * 1024) }
    const response = await client.post('/api/v1/orders').bearerToken(key).json(body)
    response.assertStatus(413)
    assert.equal(response.body().errors[0].rule, 'maxBytes')
  })

  test('a body above the global limit → 413 from the parser', async ({ assert }) => {
    const { key } = await createTenant()
    const response = await rawRequest('POST', '/api/v1/orders/batch', {
      body: JSON.stringify({ orders: [{ notes: 'x'.repeat(17 * 1024 * 1024) }] }),
      headers: { 'authorization': `Bearer ${key}`, 'content-type': 'application/json' },
    })
    assert.equal(response.status, 413)
    assert.match(response.json.type, /body-too-large$/)
  })

  test('5,001 orders in a batch → 422 at /orders with nothing written', async ({
    client,
    assert,
  }) => {
    const { key, stores, merchant } = await createTenant()
    const order = validOrder(stores[0].id)
    const orders = Array.from({ length: 5001 }, (_, i) => ({ ...order, external_id: `B-${i}` }))
    const response = await client.post('/api/v1/orders/batch').bearerToken(key).json({ orders })
    response.assertStatus(422)
    assert.equal(response.body().errors[0].pointer, '/orders')
    assert.equal(response.body().errors[0].rule, 'maxItems')
    assert.equal(await countOrders(merchant.id), 0)
  })

  test('an empty batch → 422', async ({ client, assert }) => {
    const { key } = await createTenant()
    const response = await client.post('/api/v1/orders/batch').bearerToken(key).json({ orders: [] })
    response.assertStatus(422)
    assert.equal(response.body().errors[0].rule, 'minItems')
  })

  test('bad list filters → 422 naming the parameter', async ({ client, assert }) => {
    const { key } = await createTenant()
    const response = await client
      .get('/api/v1/orders')
      .bearerToken(key)
      .qs({ status: 'lost', limit: 1000 })
    response.assertStatus(422)
    const pointers = response.body().errors.map((e: any) => e.pointer)
    assert.includeMembers(pointers, ['/status', '/limit'])
  })

  test('a forged cursor → 422', async ({ client, assert }) => {
    const { key } = await createTenant()
    const response = await client.get('/api/v1/orders').bearerToken(key).qs({ cursor: 'bm9wZQ' })
    response.assertStatus(422)
    assert.equal(response.body().errors[0].pointer, '/cursor')
  })

  test('non-numeric order id → 404, not 500', async ({ client }) => {
    const { key } = await createTenant()
    const response = await client.get('/api/v1/orders/abc').bearerToken(key)
    response.assertStatus(404)
  })

  test('unknown route → 404 problem body', async ({ client, assert }) => {
    const response = await client.get('/api/v1/nowhere')
    response.assertStatus(404)
    assert.equal(response.body().status, 404)
  })
})

test.group('Intake authentication', () => {
  test('{0} → 401 problem body')
    .with([
      ['no Authorization header', undefined],
      ['a non-Bearer scheme', 'Basic dXNlcjpwYXNz'],
      ['an unknown key', 'Bearer chk_doesnotexistdoesnotexistdoesnotexist'],
      ['a key without the chk_ prefix', 'Bearer abc'],
    ] as [string, string | undefined][])
    .run(async ({ client, assert }, [, header]) => {
      const request = client.post('/api/v1/orders').json({})
      if (header) request.header('authorization', header)
      const response = await request
      response.assertStatus(401)
      assert.match(response.body().type, /unauthorized$/)
    })

  test('a revoked key → 401 on every intake route', async ({ client }) => {
    const { key, apiKey, stores } = await createTenant()
    const { revokeApiKey } = await import('#services/api_key_service')
    await revokeApiKey(apiKey)
    for (const request of [
      client.post('/api/v1/orders').bearerToken(key).json(validOrder(stores[0].id)),
      client.get('/api/v1/orders').bearerToken(key),
      client.get('/api/v1/orders/1').bearerToken(key),
      client.post('/api/v1/orders/batch').bearerToken(key).json({ orders: [] }),
    ]) {
      const response = await request
      response.assertStatus(401)
    }
  })

  test('a suspended merchant → 403', async ({ client }) => {
    const { key, merchant, stores } = await createTenant()
    merchant.status = 'suspended'
    await merchant.save()
    const response = await client
      .post('/api/v1/orders')
      .bearerToken(key)
      .json(validOrder(stores[0].id))
    response.assertStatus(403)
  })
})
