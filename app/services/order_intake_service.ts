import db from '@adonisjs/lucid/services/db'
import emitter from '@adonisjs/core/services/emitter'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Order from '#models/order'
import Store from '#models/store'
import Batch from '#models/batch'
import type Merchant from '#models/merchant'
import ProblemException, { type FieldError } from '#exceptions/problem'
import { compileSchema } from '#schemas/json_validator'
import { orderBatchInputSchema } from '#schemas/order_intake_schema'
import { storeLookup, validateOrder, type OrderInput } from '#services/order_validation'
import { sqlNow, toOrderRow } from '#services/order_rows'
import { isUniqueViolation } from '#services/idempotency_service'
import { insertSkippingDuplicates } from '#services/insert_skipping_duplicates'

/** Rows per INSERT statement: well under SQLite's bound-variable limit (25 columns each). */
const INSERT_CHUNK = 500

export type BatchResult =
  | { index: number; status: 'accepted'; order_id: number; external_id: string }
  | { index: number; status: 'rejected'; external_id: string | null; errors: FieldError[] }

export interface OrdersCreated {
  merchantId: number
  batchId: number | null
  orderIds: number[]
}

declare module '@adonisjs/core/types' {
  interface EventsList {
    /** New orders are stored (committed): dispatch listens to send them to carriers. */
    'orders:created': OrdersCreated
  }
}

const validateBatchShape = compileSchema<{ orders: unknown[] }>(orderBatchInputSchema)

async function loadStores(merchantId: number) {
  return storeLookup(await Store.query().where('merchant_id', merchantId))
}

function naturalKey(channel: string, externalId: string) {
  return `${channel}\u0000${externalId}`
}

function duplicateError(pointerPrefix: string, existingId: number | null): FieldError {
  return {
    pointer: `${pointerPrefix}/external_id`,
    rule: 'unique',
    message:
      existingId === null
        ? 'appears twice in this batch for the same channel'
        : `an order with this channel and external_id already exists (id ${existingId})`,
  }
}

/**
 * Ids of orders that already exist for these natural keys, per merchant. Queried
 * per channel so the unique (merchant_id, channel, external_id) index is used as a
 * range seek; without the channel it scans the merchant's whole history.
 */
async function existingIds(
  client: TransactionClientContract | typeof db,
  merchantId: number,
  inputs: OrderInput[]
) {
  const found = new Map<string, number>()
  const byChannel = new Map<string, Set<string>>()
  for (const input of inputs) {
    const ids = byChannel.get(input.channel) ?? new Set<string>()
    ids.add(input.external_id)
    byChannel.set(input.channel, ids)
  }
  for (const [channel, ids] of byChannel) {
    const externalIds = [...ids]
    for (let i = 0; i < externalIds.length; i += 1000) {
      const rows = await client
        .from('orders')
        .select('id', 'channel', 'external_id')
        .where('merchant_id', merchantId)
        .where('channel', channel)
        .whereIn('external_id', externalIds.slice(i, i + 1000))
      for (const row of rows) found.set(naturalKey(row.channel, row.external_id), Number(row.id))
    }
  }
  return found
}

/**
 * One order from a POS. Bad input → 422 naming each field; a resend of an order
 * that exists (same channel and external id) → 409 with the existing id.
 */
export async function createOrder(merchant: Merchant, data: unknown): Promise<Order> {
  const stores = await loadStores(merchant.id)
  const checked = validateOrder(data, stores, Date.now())
  if (!checked.ok) throw ProblemException.invalid(checked.errors, 'The order is invalid')

  const row = toOrderRow(checked.value, merchant.id, checked.store.id, null, sqlNow())
  try {
    const [id] = await db.table('orders').insert(row)
    const order = await Order.findOrFail(Number(id))
    void emitter.emit('orders:created', {
      merchantId: merchant.id,
      batchId: null,
      orderIds: [order.id],
    })
    return order
  } catch (error) {
    if (!isUniqueViolation(error)) throw error
    const existing = await existingIds(db, merchant.id, [checked.value])
    const existingId =
      existing.get(naturalKey(checked.value.channel, checked.value.external_id)) ?? null
    throw new ProblemException({
      status: 409,
      slug: 'duplicate-order',
      title: 'Duplicate order',
      detail: `Order ${checked.value.channel}/${checked.value.external_id} already exists${existingId ? ` (id ${existingId})` : ''}`,
      errors: [duplicateError('', existingId)],
    })
  }
}

/**
 * Up to 5,000 orders in one request. Every input gets a result; valid orders are
 * stored even when others are rejected, and all accepted orders plus the batch row
 * are written in one transaction (never a partial batch).
 */
export async function createBatch(
  merchant: Merchant,
  data: unknown,
  source: 'api' | 'csv' = 'api'
) {
  const shape = validateBatchShape(data)
  if (!shape.ok) throw ProblemException.invalid(shape.errors, 'The batch is invalid')
  const items = shape.value.orders

  const stores = await loadStores(merchant.id)
  const now = Date.now()
  const results: BatchResult[] = new Array(items.length)
  const valid: { index: number; input: OrderInput; storeId: number }[] = []
  const seen = new Set<string>()

  items.forEach((item, index) => {
    const prefix = `/orders/${index}`
    const checked = validateOrder(item, stores, now, prefix)
    if (!checked.ok) {
      const externalId = (item as { external_id?: unknown })?.external_id
      results[index] = {
        index,
        status: 'rejected',
        external_id: typeof externalId === 'string' ? externalId : null,
        errors: checked.errors,
      }
      return
    }
    const key = naturalKey(checked.value.channel, checked.value.external_id)
    if (seen.has(key)) {
      results[index] = {
        index,
        status: 'rejected',
        external_id: checked.value.external_id,
        errors: [duplicateError(prefix, null)],
      }
      return
    }
    seen.add(key)
    valid.push({ index, input: checked.value, storeId: checked.store.id })
  })

  const batch = await db.transaction(async (trx) => {
    const created = await Batch.create(
      {
        merchantId: merchant.id,
        source,
        total: items.length,
        accepted: 0,
        rejected: 0,
        status: 'received',
      },
      { client: trx }
    )
    // Orders that already exist (a resent batch, or another request storing the same
    // order now) are skipped by the unique (merchant, channel, external id) index
    // itself: no look-up before the insert, and no window between look-up and insert.
    const stamp = sqlNow()
    for (let i = 0; i < valid.length; i += INSERT_CHUNK) {
      const rows = valid
        .slice(i, i + INSERT_CHUNK)
        .map((v) => toOrderRow(v.input, merchant.id, v.storeId, created.id, stamp))
      await insertSkippingDuplicates(trx, 'orders', rows, ['merchant_id', 'channel', 'external_id'])
    }

    // Ids come back by natural key: multi-row INSERT only reports the first id.
    const inserted = await trx
      .from('orders')
      .select('id', 'channel', 'external_id')
      .where('batch_id', created.id)
    const idByKey = new Map(
      inserted.map((row) => [naturalKey(row.channel, row.external_id), Number(row.id)])
    )
    const skipped = valid.filter(
      (v) => !idByKey.has(naturalKey(v.input.channel, v.input.external_id))
    )
    const existing = skipped.length
      ? await existingIds(
          trx,
          merchant.id,
          skipped.map((v) => v.input)
        )
      : new Map<string, number>()
    for (const v of valid) {
      const key = naturalKey(v.input.channel, v.input.external_id)
      const orderId = idByKey.get(key)
      results[v.index] =
        orderId === undefined
          ? {
              index: v.index,
              status: 'rejected',
              external_id: v.input.external_id,
              errors: [duplicateError(`/orders/${v.index}`, existing.get(key) ?? null)],
            }
          : {
              index: v.index,
              status: 'accepted',
              order_id: orderId,
              external_id: v.input.external_id,
            }
    }

    created.accepted = inserted.length
    created.rejected = items.length - inserted.length
    await created.useTransaction(trx).save()
    return created
  })

  const orderIds = results.flatMap((r) => (r.status === 'accepted' ? [r.order_id] : []))
  void emitter.emit('orders:created', { merchantId: merchant.id, batchId: batch.id, orderIds })
  return { batch, results }
}
