import { DateTime } from 'luxon'

/*
 * Raw query results carry timestamps as the driver returns them: SQLite gives
 * 'yyyy-MM-dd HH:mm:ss' text (stored in UTC), MySQL a Date. These read both as UTC,
 * whatever the host's time zone is.
 */
export function dbTimeMillis(value: string | Date): number {
  if (value instanceof Date) return value.getTime()
  const parsed = DateTime.fromSQL(value, { zone: 'utc' })
  return parsed.isValid ? parsed.toMillis() : DateTime.fromISO(value, { zone: 'utc' }).toMillis()
}

export function dbTimeIso(value: string | Date): string
export function dbTimeIso(value: string | Date | null | undefined): string | null
export function dbTimeIso(value: string | Date | null | undefined): string | null {
  if (value === null || value === undefined) return null
  return new Date(dbTimeMillis(value)).toISOString()
}
