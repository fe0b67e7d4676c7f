import emitter from '@adonisjs/core/services/emitter'
import transmit from '@adonisjs/transmit/services/main'
import { batchProgress } from '#services/batch_progress_service'
import type { OrderStatusChanged } from '#dispatch/pipeline/order_transitions'

/** A batch of thousands moves thousands of orders a second; its progress goes out at most this often. */
const BATCH_PROGRESS_EVERY_MS = 1000

let started = false

/**
 * Forwards order status changes to SSE subscribers (start/transmit.ts says who may
 * listen): each change on the merchant's order channel, and a batch's counts,
 * throttled, on the batch channel. Runs in every process that moves orders.
 */
export function startLiveEvents() {
  if (started) return
  started = true
  const pendingBatches = new Map<number, { merchantId: number; timer: NodeJS.Timeout }>()

  emitter.on('order:status', (change: OrderStatusChanged) => {
    transmit.broadcast(`merchants/${change.merchantId}/orders`, {
      type: 'order.status',
      order_id: change.orderId,
      batch_id: change.batchId,
      from: change.from,
      to: change.to,
      source: change.source,
      at: change.at,
    })
    if (change.batchId === null || pendingBatches.has(change.batchId)) return
    const batchId = change.batchId
    const timer = setTimeout(() => {
      pendingBatches.delete(batchId)
      batchProgress(change.merchantId, batchId)
        .then((progress) =>
          transmit.broadcast(`merchants/${change.merchantId}/batches/${batchId}`, {
            type: 'batch.progress',
            ...progress,
          } as any)
        )
        .catch(() => {})
    }, BATCH_PROGRESS_EVERY_MS)
    timer.unref()
    pendingBatches.set(batchId, { merchantId: change.merchantId, timer })
  })
}
