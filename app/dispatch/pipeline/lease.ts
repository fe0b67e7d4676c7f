import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { sqlTime } from '#dispatch/pipeline/order_transitions'
import type { OrderStatus } from '#services/order_status'
import { dispatchConfig } from '#config/dispatch'

function affected(result: unknown) {
  return Number(Array.isArray(result) ? result[0] : result)
}

/**
 * One dispatcher at a time per order (for dispatchConfig.leaseS: long enough for a
 * quote round and a create call; a crashed holder frees the order after it), across any number of worker processes: the
 * conditional UPDATE succeeds for exactly one claimant while the lease is live.
 */
export async function acquireLease(orderId: number, owner: string, statuses: OrderStatus[]) {
  const now = DateTime.utc()
  const result = await db
    .from('orders')
    .where('id', orderId)
    .whereIn('status', statuses)
    .where((q) => q.whereNull('lease_until').orWhere('lease_until', '<', sqlTime(now)))
    .update({
      lease_owner: owner,
      lease_until: sqlTime(now.plus({ seconds: dispatchConfig.leaseS })),
    })
  return affected(result) === 1
}

export async function releaseLease(orderId: number, owner: string) {
  await db
    .from('orders')
    .where('id', orderId)
    .where('lease_owner', owner)
    .update({ lease_owner: null, lease_until: null })
}
