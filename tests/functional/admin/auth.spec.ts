import { test } from '@japa/runner'
import AuditLog from '#models/audit_log'
import User from '#models/user'
import { limits } from '#start/limiter'
import { createTenant, createUser } from '#tests/helpers/fixtures'

test.group('Admin auth: login', () => {
  test('returns a working token and the user without the password', async ({ client, assert }) => {
    const { merchant } = await createTenant()
    const { user, password } = await createUser('merchant', merchant.id)

    const response = await client
      .post('/api/v1/admin/auth/login')
      .json({ email: user.email, password })

    response.assertStatus(200)
    const { token, user: body, expires_at: expiresAt } = response.body().data
    assert.match(token, /^hub_/)
    assert.isString(expiresAt)
    assert.equal(body.id, user.id)
    assert.equal(body.role, 'merchant')
    assert.equal(body.merchant_id, merchant.id)
    assert.notProperty(body, 'password')
    assert.isString(body.last_login_at)

    await user.refresh()
    assert.isNotNull(user.lastLoginAt)

    const me = await client.get('/api/v1/admin/me').bearerToken(token)
    me.assertStatus(200)
    assert.equal(me.body().data.email, user.email)
  })

  test('ignores the case of the email', async ({ client }) => {
    const { user, password } = await createUser('operator')

    const response = await client
      .post('/api/v1/admin/auth/login')
      .json({ email: user.email.toUpperCase(), password })

    response.assertStatus(200)
  })

  test('writes an auth.login audit row that holds no password', async ({ client, assert }) => {
    const { merchant } = await createTenant()
    const { user, password } = await createUser('merchant', merchant.id)

    const response = await client
      .post('/api/v1/admin/auth/login')
      .json({ email: user.email, password })
    response.assertStatus(200)

    const row = await AuditLog.query()
      .where('action', 'auth.login')
      .where('subject_id', String(user.id))
      .firstOrFail()
    assert.equal(row.subjectType, 'user')
    assert.equal(row.actorType, 'user')
    assert.equal(row.actorId, user.id)
    assert.equal(row.merchantId, merchant.id)
    assert.notInclude(JSON.stringify(row.serialize()), password)
  })

  test('answers a wrong password and an unknown email with the same 401', async ({
    client,
    assert,
  }) => {
    const { user } = await createUser('admin')

    const wrongPassword = await client
      .post('/api/v1/admin/auth/login')
      .json({ email: user.email, password: 'not the password at all' })
    const unknownEmail = await client
      .post('/api/v1/admin/auth/login')
      .json({ email: 'nobody-here@example.test', password: 'not the password at all' })

    wrongPassword.assertStatus(401)
    unknownEmail.assertStatus(401)
    assert.equal(wrongPassword.body().detail, unknownEmail.body().detail)
    assert.equal(wrongPassword.body().type, unknownEmail.body().type)
    assert.notProperty(wrongPassword.body(), 'data')
  })

  test('names the field and rule of a bad body', async ({ client, assert }) => {
    const missingPassword = await client
      .post('/api/v1/admin/auth/login')
      .json({ email: 'someone@example.test' })
    missingPassword.assertStatus(422)
    assert.equal(missingPassword.body().errors[0].pointer, '/password')
    assert.equal(missingPassword.body().errors[0].rule, 'required')

    const badEmail = await client
      .post('/api/v1/admin/auth/login')
      .json({ email: 'not-an-email', password: 'whatever' })
    badEmail.assertStatus(422)
    assert.equal(badEmail.body().errors[0].pointer, '/email')
    assert.equal(badEmail.body().errors[0].rule, 'email')
  })

  test('rejects a body that is not JSON with 415', async ({ client }) => {
    const response = await client
      .post('/api/v1/admin/auth/login')
      .form({ email: 'someone@example.test', password: 'whatever' })
    response.assertStatus(415)
  })

  test('throttles guessing with 429 and Retry-After, even for the right password', async ({
    client,
    assert,
  }) => {
    const { user, password } = await createUser('admin')

    for (let attempt = 0; attempt < limits.loginPerMinute; attempt++) {
      const response = await client
        .post('/api/v1/admin/auth/login')
        .json({ email: user.email, password: `wrong guess ${attempt}` })
      response.assertStatus(401)
    }

    const blocked = await client
      .post('/api/v1/admin/auth/login')
      .json({ email: user.email, password })
    blocked.assertStatus(429)
    assert.equal(blocked.body().status, 429)
    assert.isAbove(Number(blocked.header('retry-after')), 0)

    // The limit is per account: another user from the same address is unaffected.
    const other = await createUser('admin')
    const unaffected = await client
      .post('/api/v1/admin/auth/login')
      .json({ email: other.user.email, password: other.password })
    unaffected.assertStatus(200)
  })
})

test.group('Admin auth: logout and /me', () => {
  test('logout revokes the token it was called with, and only that one', async ({
    client,
    assert,
  }) => {
    const { user, token } = await createUser('operator')
    const other = await User.accessTokens.create(user)

    const logout = await client.post('/api/v1/admin/auth/logout').bearerToken(token)
    logout.assertStatus(204)

    const revoked = await client.get('/api/v1/admin/me').bearerToken(token)
    revoked.assertStatus(401)
    assert.equal(revoked.body().status, 401)

    const stillValid = await client.get('/api/v1/admin/me').bearerToken(other.value!.release())
    stillValid.assertStatus(200)

    const row = await AuditLog.query()
      .where('action', 'auth.logout')
      .where('actor_id', user.id)
      .first()
    assert.isNotNull(row)
  })

  test('/me answers every role, integrators included', async ({ client, assert }) => {
    const { merchant } = await createTenant()
    for (const [role, merchantId] of [
      ['admin', null],
      ['operator', null],
      ['merchant', merchant.id],
      ['integrator', null],
    ] as const) {
      const { user, token } = await createUser(role, merchantId)
      const response = await client.get('/api/v1/admin/me').bearerToken(token)
      response.assertStatus(200)
      assert.equal(response.body().data.id, user.id)
      assert.equal(response.body().data.role, role)
      assert.notProperty(response.body().data, 'password')
    }
  })

  test('/me without a token or with a forged one is 401', async ({ client }) => {
    const anonymous = await client.get('/api/v1/admin/me')
    anonymous.assertStatus(401)

    const forged = await client.get('/api/v1/admin/me').bearerToken('hub_forged.token')
    forged.assertStatus(401)
  })

  test('a POS API key is not a console credential', async ({ client }) => {
    const { key } = await createTenant()
    const response = await client.get('/api/v1/admin/me').bearerToken(key)
    response.assertStatus(401)
  })
})
