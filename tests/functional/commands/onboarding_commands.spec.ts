import { test } from '@japa/runner'
import ace from '@adonisjs/core/services/ace'
import Merchant from '#models/merchant'
import User from '#models/user'
import ApiKey from '#models/api_key'
import MerchantsCreate from '#commands/merchants_create'
import UsersCreate from '#commands/users_create'
import ApiKeysCreate from '#commands/api_keys_create'
import ApiKeysRevoke from '#commands/api_keys_revoke'
import { createTenant, validOrder } from '#tests/helpers/fixtures'

function jsonOutput(command: { ui: { logger: { getLogs(): { message: string }[] } } }) {
  const line = command.ui.logger.getLogs().find((log) => log.message.trim().startsWith('{'))
  return JSON.parse(line!.message)
}

test.group('Onboarding ace commands', (group) => {
  group.each.setup(() => {
    ace.ui.switchMode('raw')
    return () => ace.ui.switchMode('normal')
  })

  test('merchants:create --json prints the merchant and a working API key once', async ({
    client,
    assert,
  }) => {
    const command = await ace.create(MerchantsCreate, [
      'Noodle House',
      '--code',
      `noodle-${Date.now()}`,
      '--tier',
      'vip',
      '--json',
    ])
    await command.exec()
    command.assertSucceeded()

    const output = jsonOutput(command)
    assert.equal(output.merchant.name, 'Noodle House')
    assert.equal(output.merchant.tier, 'vip')
    assert.match(output.api_key.secret, /^chk_/)
    assert.isTrue(output.api_key.secret.startsWith(output.api_key.prefix))

    const stored = await ApiKey.findOrFail(output.api_key.id)
    assert.notEqual(stored.secretHash, output.api_key.secret)
    assert.notInclude(JSON.stringify(stored.toJSON()), output.api_key.secret)

    const list = await client.get('/api/v1/orders').bearerToken(output.api_key.secret)
    list.assertStatus(200)
  })

  test('merchants:create refuses a duplicate code and a bad tier', async ({ assert }) => {
    const code = `dup-${Date.now()}`
    const first = await ace.create(MerchantsCreate, ['A', '--code', code])
    await first.exec()
    first.assertSucceeded()

    const second = await ace.create(MerchantsCreate, ['B', '--code', code])
    await second.exec()
    second.assertFailed()
    second.assertLogMatches(/already exists/)

    const badTier = await ace.create(MerchantsCreate, ['C', '--tier', 'gold'])
    await badTier.exec()
    badTier.assertFailed()
    assert.equal(await Merchant.query().where('name', 'C').first(), null)
  })

  test('users:create makes a user that can log in with the password; rules are enforced', async ({
    assert,
  }) => {
    const email = `ops-${Date.now()}@example.test`
    const ok = await ace.create(UsersCreate, [
      '--email',
      email,
      '--role',
      'operator',
      '--password',
      'a long enough password',
    ])
    await ok.exec()
    ok.assertSucceeded()
    const user = await User.verifyCredentials(email, 'a long enough password')
    assert.equal(user.role, 'operator')

    const noMerchant = await ace.create(UsersCreate, [
      '--email',
      `m-${email}`,
      '--role',
      'merchant',
      '--password',
      'a long enough password',
    ])
    await noMerchant.exec()
    noMerchant.assertFailed()
    noMerchant.assertLogMatches(/merchant_id/)

    const shortPassword = await ace.create(UsersCreate, [
      '--email',
      `s-${email}`,
      '--role',
      'admin',
      '--password',
      'short',
    ])
    await shortPassword.exec()
    shortPassword.assertFailed()
    assert.isNull(await User.findBy('email', `s-${email}`))
  })

  test('api-keys:create issues another key; api-keys:revoke stops it at once', async ({
    client,
    assert,
  }) => {
    const { merchant, stores } = await createTenant()
    const create = await ace.create(ApiKeysCreate, [merchant.code, '--name', 'till 2', '--json'])
    await create.exec()
    create.assertSucceeded()
    const { api_key: issued } = jsonOutput(create)
    assert.equal(issued.merchant_id, merchant.id)

    const before = await client
      .post('/api/v1/orders')
      .bearerToken(issued.secret)
      .json(validOrder(stores[0].id))
    before.assertStatus(201)

    const revoke = await ace.create(ApiKeysRevoke, [String(issued.id)])
    await revoke.exec()
    revoke.assertSucceeded()

    const after = await client
      .post('/api/v1/orders')
      .bearerToken(issued.secret)
      .json(validOrder(stores[0].id))
    after.assertStatus(401)
    const revoked = await ApiKey.findOrFail(issued.id)
    assert.isNotNull(revoked.revokedAt)
  })

  test('api-keys:revoke reports an unknown key', async () => {
    const revoke = await ace.create(ApiKeysRevoke, ['999999'])
    await revoke.exec()
    revoke.assertFailed()
    revoke.assertLogMatches(/No API key/)
  })
})
