/**
 * The way into an emulator: applies the carrier's request fault knobs (outage,
 * latency, timeouts, injected errors) and then lets the emulator answer. Injected
 * errors use the carrier's own error format when the emulator offers one.
 */
import type { SandboxCore } from '#sandbox/core'
import type {
  CarrierEmulator,
  SandboxErrorKind,
  SandboxRequest,
  SandboxResponse,
} from '#sandbox/emulator'
import { seededUnit } from '#sandbox/random'

export type GatewayOutcome =
  | { kind: 'respond'; response: SandboxResponse }
  /** Keep the connection open past any client timeout, then drop it. */
  | { kind: 'hold' }
  /** Drop the connection at once (a carrier that is down). */
  | { kind: 'reset' }

export class CarrierGateway {
  readonly #core: SandboxCore
  readonly #sleep: (ms: number) => Promise<void>
  readonly #onError: (error: unknown) => void
  #requestSeq = new Map<string, number>()

  constructor(
    core: SandboxCore,
    options: { sleep: (ms: number) => Promise<void>; onError: (error: unknown) => void }
  ) {
    this.#core = core
    this.#sleep = options.sleep
    this.#onError = options.onError
  }

  async handle(emulator: CarrierEmulator, request: SandboxRequest): Promise<GatewayOutcome> {
    const carrier = emulator.carrier
    const tally = this.#core.recorder.tally(carrier).requests
    const knobs = this.#core.faults.for(carrier)
    tally.total++
    if (knobs.outage) {
      tally.outages++
      if (knobs.outage === 'reset') return { kind: 'reset' }
      return respond(errorAnswer(emulator, 'unavailable', request))
    }
    if (knobs.latencyMs > 0) await this.#sleep(knobs.latencyMs)
    // Drawn per (carrier, request number): a rerun with the same traffic fails the same calls.
    const seq = (this.#requestSeq.get(carrier) ?? 0) + 1
    this.#requestSeq.set(carrier, seq)
    if (seededUnit(this.#core.seed, 'request-fault', 'timeout', carrier, seq) < knobs.timeoutRate) {
      tally.timeouts++
      return { kind: 'hold' }
    }
    if (seededUnit(this.#core.seed, 'request-fault', 'error', carrier, seq) < knobs.errorRate) {
      tally.injectedErrors++
      return respond(errorAnswer(emulator, 'server_error', request))
    }
    try {
      const response = await emulator.handle(request, this.#core.context)
      if (knobs.answerDelayMs > 0) await this.#sleep(knobs.answerDelayMs)
      return respond(response)
    } catch (error) {
      tally.handlerErrors++
      this.#onError(error)
      return respond(errorAnswer(emulator, 'server_error', request))
    }
  }
}

const respond = (response: SandboxResponse): GatewayOutcome => ({ kind: 'respond', response })

function errorAnswer(
  emulator: CarrierEmulator,
  kind: SandboxErrorKind,
  request: SandboxRequest
): SandboxResponse {
  if (emulator.errorResponse) return emulator.errorResponse(kind, request)
  return kind === 'unavailable'
    ? {
        status: 503,
        body: JSON.stringify({ code: 503, message: 'service unavailable (sandbox outage)' }),
      }
    : {
        status: 500,
        body: JSON.stringify({ code: 500, message: 'internal error (sandbox fault)' }),
      }
}
