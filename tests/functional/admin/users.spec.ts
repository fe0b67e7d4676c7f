import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import AuditLog from '#models/audit_log'
import User from '#models/user'
import { createConsoleCast, createTenant, createUser } from '#tests/helpers/fixtures'

const PASSWORD = 'a long enough passphrase'

function newUserBody(overrides: Record<string, unknown> = {}) {
  return {
    email: `new-${randomUUID().slice(0, 8)}@example.test`,
    full_name: '新用户',
    password: PASSWORD,
    role: 'operator',
    ...overrides,
  }
}

test.group('Admin users: create', () => {
  test('an admin creates a user who can then log in; no password leaves the server', async ({
    client,
    assert,
  }) => {
    const { merchant } = await createTenant()
    const { token } = await createUser('admin')
    const body = newUserBody({ role: 'merchant', merchant_id: merchant.id })

    const response = await client.post('/api/v1/admin/users').bearerToken(token).json(body)

    response.assertStatus(201)
    const created = response.body().data
    assert.equal(created.email, body.email)
    assert.equal(created.role, 'merchant')
    assert.equal(created.merchant_id, merchant.id)
    assert.notProperty(created, 'password')
    assert.notInclude(JSON.stringify(response.body()), PASSWORD)

    const stored = await User.findOrFail(created.id)
    assert.notEqual(stored.password, PASSWORD)

    const row = await AuditLog.query()
      .where('action', 'user.create')
      .where('subject_id', String(created.id))
      .firstOrFail()
    assert.equal(row.merchantId, merchant.id)
    assert.equal(row.changes?.role, 'merchant')
    assert.notInclude(JSON.stringify(row.changes), PASSWORD)
    assert.notInclude(JSON.stringify(row.changes), stored.password)

    const login = await client
      .post('/api/v1/admin/auth/login')
      .json({ email: body.email, password: PASSWORD })
    login.assertStatus(200)
  })

  test('merchant_id is required for merchant users and refused for other roles', async ({
    client,
    assert,
  }) => {
    const { merchant } = await createTenant()
    const { token } = await createUser('admin')
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [newUserBody({ role: 'merchant' }), '/merchant_id', 'required'],
      [newUserBody({ role: 'merchant', merchant_id: null }), '/merchant_id', 'required'],
      [newUserBody({ role: 'operator', merchant_id: merchant.id }), '/merchant_id', 'prohibited'],
      [newUserBody({ role: 'merchant', merchant_id: 99999999 }), '/merchant_id', 'database.exists'],
      [newUserBody({ password: 'short' }), '/password', 'minLength'],
      [newUserBody({ role: 'superuser' }), '/role', 'enum'],
      [newUserBody({ email: 'nope' }), '/email', 'email'],
    ]
    for (const [body, pointer, rule] of cases) {
      const response = await client.post('/api/v1/admin/users').bearerToken(token).json(body)
      response.assertStatus(422)
      assert.equal(response.body().errors[0].pointer, pointer, JSON.stringify(body))
      assert.equal(response.body().errors[0].rule, rule, JSON.stringify(body))
    }

    // An explicit null is how a form says "no merchant" for a staff account.
    const staff = await client
      .post('/api/v1/admin/users')
      .bearerToken(token)
      .json(newUserBody({ role: 'integrator', merchant_id: null }))
    staff.assertStatus(201)
    assert.isNull(staff.body().data.merchant_id)
  })

  test('an email is taken whatever its case (409 naming /email)', async ({ client, assert }) => {
    const existing = await createUser('operator')
    const { token } = await createUser('admin')

    const response = await client
      .post('/api/v1/admin/users')
      .bearerToken(token)
      .json(newUserBody({ email: existing.user.email.toUpperCase() }))

    response.assertStatus(409)
    assert.equal(response.body().errors[0].pointer, '/email')
    assert.equal(response.body().errors[0].rule, 'unique')
  })
})

test.group('Admin users: read, update, delete', () => {
  test('an admin lists users by role and reads one', async ({ client, assert }) => {
    const { admin, integrator } = await createConsoleCast()

    const list = await client
      .get('/api/v1/admin/users')
      .qs({ role: 'integrator', limit: 200 })
      .bearerToken(admin.token)
    list.assertStatus(200)
    const roles = new Set(list.body().data.map((u: { role: string }) => u.role))
    assert.deepEqual([...roles], ['integrator'])
    assert.include(
      list.body().data.map((u: { id: number }) => u.id),
      integrator.user.id
    )
    assert.notProperty(list.body().data[0], 'password')

    const one = await client
      .get(`/api/v1/admin/users/${integrator.user.id}`)
      .bearerToken(admin.token)
    one.assertStatus(200)
    assert.equal(one.body().data.email, integrator.user.email)

    const missing = await client.get('/api/v1/admin/users/99999999').bearerToken(admin.token)
    missing.assertStatus(404)
  })

  test('a new password ends the user’s sessions and is audited as changed only', async ({
    client,
    assert,
  }) => {
    const { admin, operator } = await createConsoleCast()

    const response = await client
      .patch(`/api/v1/admin/users/${operator.user.id}`)
      .bearerToken(admin.token)
      .json({ password: 'a brand new passphrase', full_name: '运营 小李' })

    response.assertStatus(200)
    assert.equal(response.body().data.full_name, '运营 小李')

    const oldSession = await client.get('/api/v1/admin/me').bearerToken(operator.token)
    oldSession.assertStatus(401)

    const login = await client
      .post('/api/v1/admin/auth/login')
      .json({ email: operator.user.email, password: 'a brand new passphrase' })
    login.assertStatus(200)

    const row = await AuditLog.query()
      .where('action', 'user.update')
      .where('subject_id', String(operator.user.id))
      .firstOrFail()
    assert.isTrue(row.changes?.password)
    assert.deepEqual(row.changes?.full_name, { from: operator.user.fullName, to: '运营 小李' })
    assert.notInclude(JSON.stringify(row.changes), 'a brand new passphrase')
  })

  test('changing the role keeps merchant_id consistent with it', async ({ client, assert }) => {
    const { a, admin, operator, merchantA } = await createConsoleCast()

    const needsMerchant = await client
      .patch(`/api/v1/admin/users/${operator.user.id}`)
      .bearerToken(admin.token)
      .json({ role: 'merchant' })
    needsMerchant.assertStatus(422)
    assert.equal(needsMerchant.body().errors[0].pointer, '/merchant_id')

    const promoted = await client
      .patch(`/api/v1/admin/users/${operator.user.id}`)
      .bearerToken(admin.token)
      .json({ role: 'merchant', merchant_id: a.merchant.id })
    promoted.assertStatus(200)
    assert.equal(promoted.body().data.merchant_id, a.merchant.id)

    const unset = await client
      .patch(`/api/v1/admin/users/${merchantA.user.id}`)
      .bearerToken(admin.token)
      .json({ merchant_id: null })
    unset.assertStatus(422)
    assert.equal(unset.body().errors[0].pointer, '/merchant_id')
    assert.equal(unset.body().errors[0].rule, 'required')

    const prohibited = await client
      .patch(`/api/v1/admin/users/${merchantA.user.id}`)
      .bearerToken(admin.token)
      .json({ role: 'operator', merchant_id: a.merchant.id })
    prohibited.assertStatus(422)
    assert.equal(prohibited.body().errors[0].rule, 'prohibited')

    const demoted = await client
      .patch(`/api/v1/admin/users/${merchantA.user.id}`)
      .bearerToken(admin.token)
      .json({ role: 'operator' })
    demoted.assertStatus(200)
    assert.isNull(demoted.body().data.merchant_id)

    // The role is read per request: the demoted user now sees every merchant.
    const merchants = await client.get('/api/v1/admin/merchants').bearerToken(merchantA.token)
    merchants.assertStatus(200)
    assert.isAbove(merchants.body().data.length, 1)

    const row = await AuditLog.query()
      .where('action', 'user.update')
      .where('subject_id', String(merchantA.user.id))
      .firstOrFail()
    assert.deepEqual(row.changes?.role, { from: 'merchant', to: 'operator' })
    assert.deepEqual(row.changes?.merchant_id, { from: a.merchant.id, to: null })
  })

  test('an admin cannot delete or demote themselves (409)', async ({ client, assert }) => {
    const { user, token } = await createUser('admin')

    const demote = await client
      .patch(`/api/v1/admin/users/${user.id}`)
      .bearerToken(token)
      .json({ role: 'operator' })
    demote.assertStatus(409)

    const remove = await client.delete(`/api/v1/admin/users/${user.id}`).bearerToken(token)
    remove.assertStatus(409)

    await user.refresh()
    assert.equal(user.role, 'admin')
  })

  test('deleting a user ends their sessions and is audited', async ({ client, assert }) => {
    const { admin, integrator } = await createConsoleCast()

    const response = await client
      .delete(`/api/v1/admin/users/${integrator.user.id}`)
      .bearerToken(admin.token)
    response.assertStatus(204)

    assert.isNull(await User.find(integrator.user.id))
    const session = await client.get('/api/v1/admin/me').bearerToken(integrator.token)
    session.assertStatus(401)

    const row = await AuditLog.query()
      .where('action', 'user.delete')
      .where('subject_id', String(integrator.user.id))
      .firstOrFail()
    assert.equal(row.changes?.email, integrator.user.email)
    assert.equal(row.actorId, admin.user.id)
  })

  test('user management is for admins only (403 for every other role)', async ({
    client,
    assert,
  }) => {
    const { operator, merchantA, integrator } = await createConsoleCast()

    for (const caller of [operator, merchantA, integrator]) {
      const list = await client.get('/api/v1/admin/users').bearerToken(caller.token)
      list.assertStatus(403)
      const one = await client
        .get(`/api/v1/admin/users/${caller.user.id}`)
        .bearerToken(caller.token)
      one.assertStatus(403)
      const create = await client
        .post('/api/v1/admin/users')
        .bearerToken(caller.token)
        .json(newUserBody({ role: 'admin' }))
      create.assertStatus(403)
      const update = await client
        .patch(`/api/v1/admin/users/${caller.user.id}`)
        .bearerToken(caller.token)
        .json({ role: 'admin' })
      update.assertStatus(403)
      const remove = await client
        .delete(`/api/v1/admin/users/${operator.user.id}`)
        .bearerToken(caller.token)
      remove.assertStatus(403)
    }

    await merchantA.user.refresh()
    assert.equal(merchantA.user.role, 'merchant')
    assert.isNotNull(await User.find(operator.user.id))
  })
})
