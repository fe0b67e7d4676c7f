import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { canMove, rankOf } from '#dispatch/pipeline/status_machine'
import { moveOrder } from '#dispatch/pipeline/order_transitions'
import { createOrderFor, createTenant } from '#tests/helpers/fixtures'
import type { OrderStatus } from '#services/order_status'

test.group('Status machine', () => {
  test('moves only forward and never out of a terminal status', ({ assert }) => {
    assert.isTrue(canMove('created', 'quoting'))
    assert.isTrue(canMove('accepted', 'delivered'))
    assert.isTrue(canMove('dispatching', 'picked_up'), 'callbacks may skip states')
    assert.isFalse(canMove('picked_up', 'accepted'), 'a late accepted is a no-op')
    assert.isFalse(canMove('delivering', 'delivering'), 'a duplicate is a no-op')
    assert.isFalse(canMove('delivered', 'cancelled'))
    assert.isFalse(canMove('cancelled', 'accepted'))
    assert.isFalse(canMove('dispatching', 'quoting'), 'only the dispatcher may step back')
    assert.isTrue(canMove('dispatching', 'quoting', { reassign: true }))
    assert.isFalse(canMove('accepted', 'quoting', { reassign: true }))
  })

  test('concurrent, duplicate and out-of-order moves leave the highest status and a monotonic timeline', async ({
    assert,
  }) => {
    const { merchant, stores } = await createTenant()
    const order = await createOrderFor(merchant, stores[0].id)
    const storm: OrderStatus[] = [
      'accepted',
      'delivering',
      'quoting',
      'picked_up',
      'accepted',
      'delivering',
      'dispatching',
      'arrived_at_store',
      'picked_up',
      'quoting',
    ]

    const results = await Promise.all(
      storm.map((to) => moveOrder(order.id, to, { source: 'test' }))
    )

    const row = await db.from('orders').where('id', order.id).first()
    assert.equal(row.status, 'delivering')
    const timeline = await db
      .from('order_events')
      .where('order_id', order.id)
      .where('kind', 'status')
      .orderBy('id')
    const ranks = timeline.map((event) => rankOf(event.to_status))
    assert.deepEqual(
      ranks,
      [...ranks].sort((a, b) => a - b)
    )
    assert.equal(new Set(ranks).size, ranks.length, 'no status recorded twice')
    assert.equal(results.filter(Boolean).length, timeline.length)
    assert.isFalse(await moveOrder(order.id, 'accepted', { source: 'late callback' }))
  })

  test('a terminal order ignores every later event', async ({ assert }) => {
    const { merchant, stores } = await createTenant()
    const order = await createOrderFor(merchant, stores[0].id)
    assert.isTrue(await moveOrder(order.id, 'cancelled', { source: 'merchant' }))
    for (const to of ['accepted', 'delivered', 'failed'] as OrderStatus[]) {
      assert.isFalse(await moveOrder(order.id, to, { source: 'carrier' }))
    }
    const row = await db.from('orders').where('id', order.id).first()
    assert.equal(row.status, 'cancelled')
  })
})
