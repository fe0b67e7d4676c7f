import { test } from '@japa/runner'
import { createConsoleCast } from '#tests/helpers/fixtures'

test.group('Admin audit log', () => {
  test('admins read it newest first, filtered by merchant, action and subject', async ({
    client,
    assert,
  }) => {
    const { a, b, admin, merchantA } = await createConsoleCast()
    for (const name of ['first', 'second']) {
      const response = await client
        .patch(`/api/v1/admin/stores/${a.stores[0].id}`)
        .bearerToken(merchantA.token)
        .json({ name })
      response.assertStatus(200)
    }
    await client
      .patch(`/api/v1/admin/merchants/${b.merchant.id}`)
      .bearerToken(admin.token)
      .json({ tier: 'vip' })

    const byMerchant = await client
      .get('/api/v1/admin/audit-logs')
      .qs({ merchant_id: a.merchant.id })
      .bearerToken(admin.token)
    byMerchant.assertStatus(200)
    const entries = byMerchant.body().data
    assert.deepEqual(
      entries.map((e: { action: string }) => e.action),
      ['store.update', 'store.update']
    )
    assert.isAbove(entries[0].id, entries[1].id)
    assert.deepEqual(entries[0].changes.name, { from: 'first', to: 'second' })
    assert.deepEqual(entries[0].subject, { type: 'store', id: String(a.stores[0].id) })
    assert.equal(entries[0].actor.type, 'user')
    assert.equal(entries[0].actor.label, merchantA.user.email)

    const bySubject = await client
      .get('/api/v1/admin/audit-logs')
      .qs({
        subject_type: 'merchant',
        subject_id: String(b.merchant.id),
        action: 'merchant.update',
      })
      .bearerToken(admin.token)
    bySubject.assertStatus(200)
    assert.lengthOf(bySubject.body().data, 1)
    assert.deepEqual(bySubject.body().data[0].changes.tier, { from: 'standard', to: 'vip' })
  })

  test('pages by cursor without repeating an entry', async ({ client, assert }) => {
    const { a, admin, merchantA } = await createConsoleCast()
    for (const name of ['one', 'two', 'three']) {
      await client
        .patch(`/api/v1/admin/stores/${a.stores[1].id}`)
        .bearerToken(merchantA.token)
        .json({ name })
    }

    const first = await client
      .get('/api/v1/admin/audit-logs')
      .qs({ merchant_id: a.merchant.id, limit: 2 })
      .bearerToken(admin.token)
    first.assertStatus(200)
    assert.lengthOf(first.body().data, 2)

    const second = await client
      .get('/api/v1/admin/audit-logs')
      .qs({ merchant_id: a.merchant.id, limit: 2, cursor: first.body().metadata.next_cursor })
      .bearerToken(admin.token)
    second.assertStatus(200)
    assert.lengthOf(second.body().data, 1)
    assert.isNull(second.body().metadata.next_cursor)
    assert.deepEqual(second.body().data[0].changes.name, { from: 'Haidian store', to: 'one' })
  })

  test('only admins may read it (403)', async ({ client }) => {
    const { operator, merchantA, integrator } = await createConsoleCast()
    for (const caller of [operator, merchantA, integrator]) {
      const response = await client.get('/api/v1/admin/audit-logs').bearerToken(caller.token)
      response.assertStatus(403)
    }
  })

  test('a malformed filter is a 422 naming the field', async ({ client, assert }) => {
    const { admin } = await createConsoleCast()
    const response = await client
      .get('/api/v1/admin/audit-logs')
      .qs({ action: 'DROP TABLE' })
      .bearerToken(admin.token)
    response.assertStatus(422)
    assert.equal(response.body().errors[0].pointer, '/action')
    assert.equal(response.body().errors[0].rule, 'regex')
  })
})
