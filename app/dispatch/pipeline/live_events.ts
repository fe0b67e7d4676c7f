import emitter from '@adonisjs/core/services/emitter'
import transmit from '@adonisjs/transmit/services/main'
import type { OrderStatusChanged } from '#dispatch/pipeline/order_transitions'
import { BatchProgressFeed } from '#dispatch/pipeline/batch_progress_feed'

let started = false

/**
 * Live events over SSE (start/transmit.ts says who may listen): every order status
 * change goes to the merchant's order channel from whichever process made it (through
 * Redis to the web processes when REDIS_URL is set); batch progress is computed by
 * the processes whose clients watch the batch (see BatchProgressFeed).
 */
export function startLiveEvents() {
  if (started) return
  started = true
  const batches = new BatchProgressFeed()

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
  })
  transmit.on('subscribe', ({ channel }) => batches.watch(channel))
}
