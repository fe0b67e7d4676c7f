import { test } from '@japa/runner'
import { limits } from '#start/limiter'
import { createTenant, validOrder } from '#tests/helpers/fixtures'

test.group('Intake rate limit', (group) => {
  const original = limits.intakePerMinute
  group.each.teardown(() => {
    limits.intakePerMinute = original
  })

  test('a merchant over its per-minute budget gets 429 with Retry-After; others are unaffected', async ({
    client,
    assert,
  }) => {
    limits.intakePerMinute = 3
    const noisy = await createTenant()
    const quiet = await createTenant()

    const statuses: number[] = []
    for (let i = 0; i < 4; i++) {
      const response = await client
        .post('/api/v1/orders')
        .bearerToken(noisy.key)
        .json(validOrder(noisy.stores[0].id))
      statuses.push(response.status())
      if (i === 3) {
        assert.match(response.body().type, /rate-limited$/)
        assert.isAbove(Number(response.header('retry-after')), 0)
      }
    }
    assert.deepEqual(statuses, [201, 201, 201, 429])

    const other = await client
      .post('/api/v1/orders')
      .bearerToken(quiet.key)
      .json(validOrder(quiet.stores[0].id))
    other.assertStatus(201)
  })
})
