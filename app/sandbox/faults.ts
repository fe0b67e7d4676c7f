/**
 * Fault knobs per carrier, settable at start (`--faults`) and at run time
 * (`PUT /_control/faults/:carrier`). `*` sets a default for every carrier; a
 * carrier's own knobs override it field by field.
 */

export interface FaultKnobs {
  /** Share of API calls answered with the carrier's server error. */
  errorRate: number
  /** Added to every API call before the carrier acts on it, ms. */
  latencyMs: number
  /**
   * Added after the carrier acted, before it answers, ms: a create whose answer is
   * slow while the delivery already exists (and its first callbacks may go out).
   */
  answerDelayMs: number
  /** Share of API calls held open past any client timeout, then dropped. */
  timeoutRate: number
  /** Share of status callbacks signed with a wrong signature. */
  badSignatureRate: number
  /** The carrier is down: `true`/`"http_503"` answers 503, `"reset"` drops the connection. */
  outage: boolean | 'http_503' | 'reset'
  /** Share of status callbacks sent twice. */
  duplicateRate: number
  /** Share of status callbacks held back until the next one of the same delivery went out. */
  reorderRate: number
  /** Delay before each status callback is sent, ms. */
  callbackDelayMs: number
}

export type FaultPatch = Partial<FaultKnobs>

export const NO_FAULTS: Readonly<FaultKnobs> = Object.freeze({
  errorRate: 0,
  latencyMs: 0,
  answerDelayMs: 0,
  timeoutRate: 0,
  badSignatureRate: 0,
  outage: false,
  duplicateRate: 0,
  reorderRate: 0,
  callbackDelayMs: 0,
})

const RATES = [
  'errorRate',
  'timeoutRate',
  'badSignatureRate',
  'duplicateRate',
  'reorderRate',
] as const
const DURATIONS = ['latencyMs', 'answerDelayMs', 'callbackDelayMs'] as const
const MAX_DURATION_MS = 120_000

/** Validates one carrier's knobs; throws RangeError naming the bad field. */
export function parseFaultPatch(value: unknown, where = 'faults'): FaultPatch {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new RangeError(`${where} must be an object of fault knobs`)
  }
  const input = value as Record<string, unknown>
  const patch: FaultPatch = {}
  for (const [name, field] of Object.entries(input)) {
    if ((RATES as readonly string[]).includes(name)) {
      if (typeof field !== 'number' || !(field >= 0 && field <= 1)) {
        throw new RangeError(`${where}.${name} must be a number from 0 to 1`)
      }
      patch[name as (typeof RATES)[number]] = field
    } else if ((DURATIONS as readonly string[]).includes(name)) {
      if (typeof field !== 'number' || !(field >= 0 && field <= MAX_DURATION_MS)) {
        throw new RangeError(`${where}.${name} must be a number of ms from 0 to ${MAX_DURATION_MS}`)
      }
      patch[name as (typeof DURATIONS)[number]] = field
    } else if (name === 'outage') {
      if (typeof field !== 'boolean' && field !== 'http_503' && field !== 'reset') {
        throw new RangeError(`${where}.outage must be true, false, "http_503" or "reset"`)
      }
      patch.outage = field
    } else {
      throw new RangeError(
        `${where}.${name} is not a fault knob (known: ${Object.keys(NO_FAULTS).join(', ')})`
      )
    }
  }
  return patch
}

/** `{ "<carrier>|*": {knobs} }`, as given to `--faults` or startSandbox. */
export function parseFaultConfig(value: unknown): Record<string, FaultPatch> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new RangeError('faults must be an object keyed by carrier id (or "*")')
  }
  return Object.fromEntries(
    Object.entries(value).map(([carrier, knobs]) => [
      carrier,
      parseFaultPatch(knobs, `faults.${carrier}`),
    ])
  )
}

export class FaultBook {
  readonly #initial: Record<string, FaultPatch>
  #patches = new Map<string, FaultPatch>()
  #cache = new Map<string, FaultKnobs>()

  constructor(initial: Record<string, FaultPatch> = {}) {
    this.#initial = parseFaultConfig(initial)
    this.reset()
  }

  /** Effective knobs of one carrier: none, then `*`, then the carrier's own. */
  for(carrier: string): FaultKnobs {
    let knobs = this.#cache.get(carrier)
    if (!knobs) {
      knobs = { ...NO_FAULTS, ...this.#patches.get('*'), ...this.#patches.get(carrier) }
      this.#cache.set(carrier, knobs)
    }
    return knobs
  }

  /** Merges knobs into a carrier's (or `*`); returns the carrier's effective knobs. */
  set(carrier: string, patch: FaultPatch): FaultKnobs {
    this.#patches.set(carrier, { ...this.#patches.get(carrier), ...parseFaultPatch(patch) })
    this.#cache.clear()
    return this.for(carrier)
  }

  /** Removes a carrier's own knobs (it falls back to `*`). */
  clear(carrier: string): void {
    this.#patches.delete(carrier)
    this.#cache.clear()
  }

  /** Back to the knobs given at start. */
  reset(): void {
    this.#patches = new Map(
      Object.entries(this.#initial).map(([carrier, patch]) => [carrier, { ...patch }])
    )
    this.#cache.clear()
  }

  /** What was set, per carrier (and `*`), plus the effective knobs of `carriers`. */
  snapshot(carriers: string[]): {
    set: Record<string, FaultPatch>
    effective: Record<string, FaultKnobs>
  } {
    return {
      set: Object.fromEntries(this.#patches),
      effective: Object.fromEntries(carriers.map((carrier) => [carrier, this.for(carrier)])),
    }
  }
}
