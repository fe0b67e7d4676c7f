import { test } from '@japa/runner'
import { createTenant } from '#tests/helpers/fixtures'

function meituanPush(overrides: Record<string, unknown> = {}) {
  return {
    order_id: 27061900338,
    wm_order_id_view: '27061900338',
    app_poi_code: 'S1',
    recipient_name: '刘先生',
    recipient_phone: '13700001111',
    recipient_address: '北京市朝阳区望京SOHO T1 2005室',
    city_name: '北京',
    latitude: 39.99,
    longitude: 116.48,
    detail: JSON.stringify([
      { food_name: '黄焖鸡米饭', quantity: 2, price: 22.5 },
      { food_name: '可乐', quantity: 1, price: 4 },
    ]),
    total: 49.9,
    caution: '少辣',
    delivery_time: 0,
    ...overrides,
  }
}

function elemePush(overrides: Record<string, unknown> = {}) {
  return {
    id: '3023458900123',
    openId: 'S2',
    consignee: '陈女士',
    phoneList: ['13600002222', '13800138000,1234'],
    deliveryPoiAddress: '北京市海淀区中关村大街1号 A座701',
    cityName: '北京',
    deliveryGeo: '116.316,39.983',
    groups: [
      {
        items: [
          { name: '牛肉面', quantity: 1 },
          { name: '卤蛋', quantity: 2 },
        ],
      },
    ],
    totalPrice: 36.8,
    description: '不要葱',
    book: false,
    deliverTime: null,
    ...overrides,
  }
}

test.group('Channel adapters', () => {
  test('a Meituan-style push becomes a hub order', async ({ client, assert }) => {
    const { key, stores } = await createTenant()
    const response = await client
      .post('/api/v1/channels/meituan/orders')
      .bearerToken(key)
      .json(meituanPush())
    response.assertStatus(201)
    const order = response.body().data
    assert.equal(order.channel, 'meituan')
    assert.equal(order.external_id, '27061900338')
    assert.equal(order.store_id, stores[0].id)
    assert.equal(order.declared_value_fen, 4990)
    assert.equal(order.item_count, 3)
    assert.equal(order.recipient.phone, '13700001111')
    assert.equal(order.recipient.lat, 39.99)
    assert.equal(order.notes, '少辣')
    assert.include(order.items_summary, '黄焖鸡米饭×2')
    assert.isNull(order.delivery_window)
  })

  test('an Ele.me-style push becomes the same kind of order', async ({ client, assert }) => {
    const { key, stores } = await createTenant()
    // Whole seconds: the database keeps second precision.
    const deliverTime = new Date(Math.floor(Date.now() / 1000) * 1000 + 2 * 3600_000).toISOString()
    const response = await client
      .post('/api/v1/channels/eleme/orders')
      .bearerToken(key)
      .json(elemePush({ book: true, deliverTime }))
    response.assertStatus(201)
    const order = response.body().data
    assert.equal(order.channel, 'eleme')
    assert.equal(order.store_id, stores[1].id)
    assert.equal(order.declared_value_fen, 3680)
    assert.equal(order.recipient.lng, 116.316)
    assert.equal(order.recipient.lat, 39.983)
    assert.equal(order.item_count, 3)
    assert.equal(Date.parse(order.delivery_window.end), Date.parse(deliverTime))
  })

  test('both shapes normalize to the same fields', async ({ client, assert }) => {
    const { key } = await createTenant()
    const fromMeituan = await client
      .post('/api/v1/channels/meituan/orders')
      .bearerToken(key)
      .json(meituanPush())
    const fromEleme = await client
      .post('/api/v1/channels/eleme/orders')
      .bearerToken(key)
      .json(elemePush())
    const a = fromMeituan.body().data
    const b = fromEleme.body().data
    assert.sameMembers(Object.keys(a), Object.keys(b))
    assert.sameMembers(Object.keys(a.recipient), Object.keys(b.recipient))
  })

  test('foreign shape errors point at the foreign fields', async ({ client, assert }) => {
    const { key } = await createTenant()
    const withoutStore: Record<string, unknown> = meituanPush()
    delete withoutStore.app_poi_code
    const missing = await client
      .post('/api/v1/channels/meituan/orders')
      .bearerToken(key)
      .json(withoutStore)
    missing.assertStatus(422)
    assert.equal(missing.body().errors[0].pointer, '/app_poi_code')

    const badDetail = await client
      .post('/api/v1/channels/meituan/orders')
      .bearerToken(key)
      .json(meituanPush({ detail: 'not json' }))
    badDetail.assertStatus(422)
    assert.equal(badDetail.body().errors[0].pointer, '/detail')

    const badGeo = await client
      .post('/api/v1/channels/eleme/orders')
      .bearerToken(key)
      .json(elemePush({ deliveryGeo: 'here' }))
    badGeo.assertStatus(422)
    assert.equal(badGeo.body().errors[0].pointer, '/deliveryGeo')

    const unknownStore = await client
      .post('/api/v1/channels/eleme/orders')
      .bearerToken(key)
      .json(elemePush({ openId: 'nope' }))
    unknownStore.assertStatus(422)
    assert.equal(unknownStore.body().errors[0].pointer, '/store_code')
  })

  test('an unknown channel → 404 listing the known ones', async ({ client, assert }) => {
    const { key } = await createTenant()
    const response = await client.post('/api/v1/channels/jddj/orders').bearerToken(key).json({})
    response.assertStatus(404)
    assert.include(response.body().detail, 'meituan')
  })

  test('a platform resend of the same order → 409', async ({ client }) => {
    const { key } = await createTenant()
    await client.post('/api/v1/channels/meituan/orders').bearerToken(key).json(meituanPush())
    const again = await client
      .post('/api/v1/channels/meituan/orders')
      .bearerToken(key)
      .json(meituanPush())
    again.assertStatus(409)
  })
})
