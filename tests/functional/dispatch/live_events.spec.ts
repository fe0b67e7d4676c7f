import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import { moveOrder } from '#dispatch/pipeline/order_transitions'
import { createOrderFor, createTenant, createUser } from '#tests/helpers/fixtures'

const base = () => `http://${process.env.HOST}:${process.env.PORT}`

/** Opens an SSE stream and collects what arrives until closed. */
async function openStream() {
  const uid = randomUUID()
  const controller = new AbortController()
  const response = await fetch(`${base()}/__transmit/events?uid=${uid}`, {
    signal: controller.signal,
  })
  let text = ''
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return
        text += decoder.decode(value, { stream: true })
      }
    } catch {}
  })()
  return {
    uid,
    status: response.status,
    received: () => text,
    close: async () => {
      controller.abort()
      await pump
    },
  }
}

async function subscribe(uid: string, channel: string, token: string) {
  const response = await fetch(`${base()}/__transmit/subscribe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'authorization': `Bearer ${token}` },
    body: JSON.stringify({ uid, channel }),
  })
  return response.status
}

async function eventually(check: () => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (check()) return true
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return check()
}

test.group('Live events (SSE)', () => {
  test('a merchant user receives its own order status changes and never another merchant’s', async ({
    assert,
  }) => {
    const a = await createTenant()
    const b = await createTenant()
    const userA = await createUser('merchant', a.merchant.id)
    const stream = await openStream()
    try {
      assert.equal(stream.status, 200)
      assert.equal(
        await subscribe(stream.uid, `merchants/${a.merchant.id}/orders`, userA.token),
        204
      )
      assert.equal(
        await subscribe(stream.uid, `merchants/${b.merchant.id}/orders`, userA.token),
        400
      )

      const mine = await createOrderFor(a.merchant, a.stores[0].id)
      const theirs = await createOrderFor(b.merchant, b.stores[0].id)
      await moveOrder(theirs.id, 'quoting', { source: 'test' })
      await moveOrder(mine.id, 'quoting', { source: 'test' })

      const arrived = await eventually(() => stream.received().includes(`"order_id":${mine.id}`))
      assert.isTrue(arrived, stream.received())
      assert.include(stream.received(), '"to":"quoting"')
      assert.notInclude(stream.received(), `"order_id":${theirs.id}`)
    } finally {
      await stream.close()
    }
  })

  test('staff may follow any merchant; subscribing needs a login', async ({ assert }) => {
    const tenant = await createTenant()
    const operator = await createUser('operator')
    const stream = await openStream()
    try {
      assert.equal(
        await subscribe(stream.uid, `merchants/${tenant.merchant.id}/orders`, operator.token),
        204
      )
      assert.equal(
        await subscribe(stream.uid, `merchants/${tenant.merchant.id}/orders`, 'nope'),
        401
      )
      const order = await createOrderFor(tenant.merchant, tenant.stores[0].id)
      await moveOrder(order.id, 'cancelled', { source: 'test' })
      assert.isTrue(await eventually(() => stream.received().includes(`"order_id":${order.id}`)))
    } finally {
      await stream.close()
    }
  })

  test('batch progress arrives on the batch channel', async ({ assert }) => {
    const tenant = await createTenant()
    const user = await createUser('merchant', tenant.merchant.id)
    const { createBatch } = await import('#services/order_intake_service')
    const { validOrder } = await import('#tests/helpers/fixtures')
    const { batch, results } = await createBatch(tenant.merchant, {
      orders: [validOrder(tenant.stores[0].id), validOrder(tenant.stores[1].id)],
    })
    const stream = await openStream()
    try {
      const channel = `merchants/${tenant.merchant.id}/batches/${batch.id}`
      assert.equal(await subscribe(stream.uid, channel, user.token), 204)
      const first = results[0] as { order_id: number }
      await moveOrder(first.order_id, 'quoting', { source: 'test' })
      assert.isTrue(
        await eventually(() => stream.received().includes('batch.progress'), 5000),
        stream.received()
      )
      assert.include(stream.received(), `"id":${batch.id}`)

      // Sent again only when the counts change, not every second.
      const sent = () => stream.received().split('batch.progress').length - 1
      const afterFirst = sent()
      await new Promise((resolve) => setTimeout(resolve, 2_500))
      assert.equal(sent(), afterFirst, 'nothing changed, nothing sent')
      await moveOrder(first.order_id, 'failed', { source: 'test' })
      assert.isTrue(await eventually(() => sent() > afterFirst, 5000), stream.received())
      assert.include(stream.received(), '"failed":1')
    } finally {
      await stream.close()
    }
  })
})
