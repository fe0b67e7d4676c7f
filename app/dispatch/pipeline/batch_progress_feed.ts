import transmit from '@adonisjs/transmit/services/main'
import { batchProgress } from '#services/batch_progress_service'

/** A batch of thousands moves thousands of orders a second; its progress goes out at most this often. */
const EVERY_MS = 1000

const BATCH_CHANNEL = /^merchants\/(\d+)\/batches\/(\d+)$/

/**
 * Batch progress for the SSE clients of this process only. Progress is computed by
 * the process that holds the subscribers, once a second while anyone watches, and
 * sent only when it changed (or to someone who just subscribed). Worker processes,
 * which move the orders but hold no streams, spend nothing on it; with several web
 * processes each serves its own clients (local sends, no fan-out through Redis).
 */
export class BatchProgressFeed {
  /** Watched channel → the progress last sent on it (null: send on the next tick). */
  #watched = new Map<string, { merchantId: number; batchId: number; last: string | null }>()
  #timer: NodeJS.Timeout | null = null

  watch(channel: string) {
    const match = BATCH_CHANNEL.exec(channel)
    if (!match) return
    this.#watched.set(channel, {
      merchantId: Number(match[1]),
      batchId: Number(match[2]),
      last: null,
    })
    this.#timer ??= setInterval(() => void this.#tick(), EVERY_MS)
    this.#timer.unref()
  }

  stop() {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
    this.#watched.clear()
  }

  async #tick() {
    for (const [channel, watched] of this.#watched) {
      if (transmit.getSubscribersFor(channel).length === 0) {
        this.#watched.delete(channel)
        continue
      }
      try {
        const progress = await batchProgress(watched.merchantId, watched.batchId)
        const payload = JSON.stringify(progress)
        if (payload === watched.last) continue
        watched.last = payload
        // Local subscribers only: every web process computes for its own clients.
        transmit.broadcastExcept(channel, { type: 'batch.progress', ...progress } as any, [])
      } catch {
        // A batch that does not exist (or not for this merchant) has nothing to send.
        this.#watched.delete(channel)
      }
    }
    if (this.#watched.size === 0 && this.#timer) {
      clearInterval(this.#timer)
      this.#timer = null
    }
  }
}
