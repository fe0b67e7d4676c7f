/**
 * Seeded randomness keyed by what it decides, not by when it is asked: every draw
 * is a pure function of (seed, ...key parts), so the same order gets the same price,
 * capacity verdict and life cycle whatever the order requests arrive in.
 */

export type KeyPart = string | number

const SEPARATOR = '\u001f'

/** 32-bit string hash (xmur3 finaliser): fast, well mixed, stable across runs. */
export function hash32(text: string): number {
  let h = 1779033703 ^ text.length
  for (let index = 0; index < text.length; index++) {
    h = Math.imul(h ^ text.charCodeAt(index), 3432918353)
    h = (h << 13) | (h >>> 19)
  }
  h = Math.imul(h ^ (h >>> 16), 2246822507)
  h = Math.imul(h ^ (h >>> 13), 3266489909)
  return (h ^ (h >>> 16)) >>> 0
}

function keyOf(seed: number, parts: KeyPart[]): string {
  return [seed, ...parts].join(SEPARATOR)
}

/** A sequence of uniform numbers in [0, 1) (mulberry32), with a few shapes on top. */
export class SeededStream {
  #state: number

  constructor(state: number) {
    this.#state = state >>> 0
  }

  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0
    let t = this.#state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  between(min: number, max: number): number {
    return min + (max - min) * this.next()
  }

  int(min: number, maxInclusive: number): number {
    return Math.floor(this.between(min, maxInclusive + 1))
  }

  chance(probability: number): boolean {
    return this.next() < probability
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]
  }

  /** Exponential with the given mean, cut at `max` so one draw cannot stall a delivery forever. */
  exponential(mean: number, max = mean * 6): number {
    return Math.min(max, -mean * Math.log(1 - this.next()))
  }
}

export function seededStream(seed: number, ...parts: KeyPart[]): SeededStream {
  return new SeededStream(hash32(keyOf(seed, parts)))
}

/** One uniform draw in [0, 1) for this key. */
export function seededUnit(seed: number, ...parts: KeyPart[]): number {
  return seededStream(seed, ...parts).next()
}

/** A decimal string of `length` digits (no leading zero) for ids that look like a carrier's. */
export function seededDigits(seed: number, length: number, ...parts: KeyPart[]): string {
  const stream = seededStream(seed, 'digits', ...parts)
  let digits = String(stream.int(1, 9))
  for (let index = 1; index < length; index++) digits += String(stream.int(0, 9))
  return digits
}

/** A lower-case hex string of `length` characters for opaque tokens. */
export function seededHex(seed: number, length: number, ...parts: KeyPart[]): string {
  const stream = seededStream(seed, 'hex', ...parts)
  let hex = ''
  while (hex.length < length) hex += (stream.int(0, 0xffff) | 0x10000).toString(16).slice(1)
  return hex.slice(0, length)
}
