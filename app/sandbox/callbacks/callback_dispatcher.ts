/**
 * Applies the callback fault knobs between a state change and the POST: a delay,
 * holding one callback back until the delivery's next one has gone out (out of
 * order), and sending some twice (duplicates). Which callbacks are affected is drawn
 * from the seed per (carrier, delivery, event), so reruns misbehave the same way.
 */
import type { SignedCallback } from '#sandbox/emulator'
import type { FaultBook } from '#sandbox/faults'
import { seededUnit } from '#sandbox/random'
import type { CallbackLogEntry, SandboxRecorder } from '#sandbox/records'
import type { CallbackSender } from '#sandbox/callbacks/callback_sender'

export interface OutgoingCallback {
  entry: CallbackLogEntry
  signed: SignedCallback
}

interface HeldCallback {
  job: OutgoingCallback
  timer: NodeJS.Timeout
}

export class CallbackDispatcher {
  readonly #seed: number
  readonly #faults: FaultBook
  readonly #sender: CallbackSender
  readonly #recorder: SandboxRecorder
  /** A held callback goes out anyway after this long when no newer one comes. */
  readonly #releaseHeldAfterMs: number
  #held = new Map<string, HeldCallback>()
  #pending = 0
  /** Bumped by abortAll: flows of an earlier epoch stop touching counters when they wake up. */
  #epoch = 0

  constructor(options: {
    seed: number
    faults: FaultBook
    sender: CallbackSender
    recorder: SandboxRecorder
    releaseHeldAfterMs: number
  }) {
    this.#seed = options.seed
    this.#faults = options.faults
    this.#sender = options.sender
    this.#recorder = options.recorder
    this.#releaseHeldAfterMs = options.releaseHeldAfterMs
  }

  /** Callbacks not finished yet (waiting, held, in flight or between retries). */
  get pending(): number {
    return this.#pending
  }

  dispatch(job: OutgoingCallback): void {
    const { entry } = job
    const deliveryKey = `${entry.carrier}\u0000${entry.carrierOrderId}`
    this.#pending++
    const held = this.#held.get(deliveryKey)
    if (held) {
      // The newer one overtakes: the held one leaves only after it was answered.
      this.#held.delete(deliveryKey)
      clearTimeout(held.timer)
      const epoch = this.#epoch
      void this.#launch(job).then(() => {
        if (epoch === this.#epoch) return this.#launch(held.job)
      })
      return
    }
    const knobs = this.#faults.for(entry.carrier)
    if (this.#draw('reorder', entry) < knobs.reorderRate) {
      entry.reordered = true
      this.#recorder.tally(entry.carrier).callbacks.reordered++
      const wait = Math.max(this.#releaseHeldAfterMs, knobs.callbackDelayMs * 2)
      const timer = setTimeout(() => {
        this.#held.delete(deliveryKey)
        void this.#launch(job)
      }, wait)
      this.#held.set(deliveryKey, { job, timer })
      return
    }
    void this.#launch(job)
  }

  /** Drops everything held or queued (reset and stop). */
  abortAll(): void {
    for (const held of this.#held.values()) clearTimeout(held.timer)
    this.#held.clear()
    this.#sender.abortAll()
    this.#pending = 0
    this.#epoch++
  }

  async #launch(job: OutgoingCallback): Promise<void> {
    const { entry } = job
    const epoch = this.#epoch
    const tally = this.#recorder.tally(entry.carrier).callbacks
    const knobs = this.#faults.for(entry.carrier)
    await this.#sender.sleep(knobs.callbackDelayMs)
    const result = await this.#sender.deliver(job.signed, (attempt) => {
      if (attempt === 1) entry.firstAttemptAt = new Date().toISOString()
      else tally.retries++
      entry.attempts = attempt
    })
    if (epoch !== this.#epoch) return
    entry.httpStatus = result.httpStatus
    entry.outcome = result.ok ? 'sent' : 'failed'
    if (result.error) entry.error = result.error
    if (result.ok) tally.sent++
    else tally.failed++
    if (result.ok && this.#draw('duplicate', entry) < knobs.duplicateRate) {
      await this.#sendDuplicate(job)
      if (epoch !== this.#epoch) return
    }
    this.#pending--
  }

  async #sendDuplicate(job: OutgoingCallback): Promise<void> {
    const tally = this.#recorder.tally(job.entry.carrier).callbacks
    const copy = this.#recorder.logCallback({
      ...job.entry,
      duplicate: true,
      reordered: false,
      attempts: 0,
      httpStatus: null,
      outcome: 'pending',
      error: undefined,
    })
    const result = await this.#sender.deliver(job.signed, (attempt) => {
      copy.attempts = attempt
    })
    copy.httpStatus = result.httpStatus
    copy.outcome = result.ok ? 'sent' : 'failed'
    if (result.ok) tally.duplicated++
  }

  #draw(knob: string, entry: CallbackLogEntry): number {
    return seededUnit(
      this.#seed,
      'callback-fault',
      knob,
      entry.carrier,
      entry.carrierOrderId,
      entry.eventSeq
    )
  }
}
