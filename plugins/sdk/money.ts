/**
 * Money conversion without floating point. The hub speaks integer fen (分); carriers
 * speak yuan (元, "12.50" or 12.5), fen, or cents. Parsing works on the decimal
 * string so 0.1 + 0.2 style errors never reach a statement.
 */
import type { MoneyUnit } from './manifest.js'

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/

function decimalString(value: string | number): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`Not a finite amount: ${value}`)
    const text = String(value)
    // Exponent notation (1e-7, 1e21) has no decimal digits to parse; fixed notation does.
    return /e/i.test(text) ? value.toFixed(6) : text
  }
  return value.trim()
}

/**
 * Yuan (string or number) to integer fen, rounding half away from zero past the
 * second decimal: "12.5" → 1250, 12.345 → 1235, "-0.01" → -1.
 */
export function yuanToFen(value: string | number): number {
  const match = DECIMAL.exec(decimalString(value))
  if (!match) throw new RangeError(`Not a yuan amount: ${JSON.stringify(value)}`)
  const [, sign, whole, fraction = ''] = match
  const padded = fraction.padEnd(3, '0')
  let fen = Number(whole) * 100 + Number(padded.slice(0, 2))
  if (Number(padded[2]) >= 5) fen += 1
  if (!Number.isSafeInteger(fen)) throw new RangeError(`Amount out of range: ${value}`)
  return sign === '-' && fen !== 0 ? -fen : fen
}

/** Integer fen to a yuan string with two decimals: 1250 → "12.50". */
export function fenToYuan(fen: number): string {
  assertIntegerFen(fen)
  const sign = fen < 0 ? '-' : ''
  const absolute = Math.abs(fen)
  const whole = Math.floor(absolute / 100)
  const cents = String(absolute % 100).padStart(2, '0')
  return `${sign}${whole}.${cents}`
}

/** Integer fen to a yuan number, for carriers whose JSON wants a number: 1250 → 12.5. */
export function fenToYuanNumber(fen: number): number {
  return Number(fenToYuan(fen))
}

/** Cents and fen are both 1/100 of the currency unit; this only checks the integer. */
export function centsToFen(cents: number | string): number {
  const value = typeof cents === 'string' ? Number(cents.trim()) : cents
  assertIntegerFen(value)
  return value
}

export function fenToCents(fen: number): number {
  assertIntegerFen(fen)
  return fen
}

/** Converts a carrier amount in the manifest's money unit to fen. */
export function toFen(value: string | number, unit: MoneyUnit): number {
  if (unit === 'yuan') return yuanToFen(value)
  if (unit === 'cents') return centsToFen(value)
  return centsToFen(value)
}

/** Converts fen to the carrier's unit (yuan as a two-decimal string). */
export function fromFen(fen: number, unit: MoneyUnit): string | number {
  if (unit === 'yuan') return fenToYuan(fen)
  return fenToCents(fen)
}

export function assertIntegerFen(value: number): void {
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`Money must be an integer number of fen, got ${value}`)
  }
}
