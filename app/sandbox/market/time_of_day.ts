/**
 * Time of day as couriers live it: China Standard Time (UTC+8, no daylight saving),
 * whatever time zone the machine runs in, with the lunch and dinner rushes.
 */

export type DayPeriod = 'peak' | 'night' | 'normal'

const CHINA_OFFSET_MS = 8 * 3_600_000

/** Hour 0-23 in China. */
export function chinaHour(at: Date): number {
  return new Date(at.getTime() + CHINA_OFFSET_MS).getUTCHours()
}

/** Fractional hour in China (12.5 = 12:30), for smooth daily curves. */
export function chinaHourOfDay(at: Date): number {
  const shifted = new Date(at.getTime() + CHINA_OFFSET_MS)
  return shifted.getUTCHours() + shifted.getUTCMinutes() / 60
}

/** Month 1-12 and day of year 0-365 in China. */
export function chinaCalendar(at: Date): { month: number; dayOfYear: number } {
  const shifted = new Date(at.getTime() + CHINA_OFFSET_MS)
  const startOfYear = Date.UTC(shifted.getUTCFullYear(), 0, 1)
  return {
    month: shifted.getUTCMonth() + 1,
    dayOfYear: Math.floor((shifted.getTime() - startOfYear) / 86_400_000),
  }
}

/** Lunch 11:00-12:59 and dinner 17:00-19:59 are peaks; 22:00-05:59 is night. */
export function dayPeriod(hour: number): DayPeriod {
  if (hour === 11 || hour === 12 || (hour >= 17 && hour <= 19)) return 'peak'
  if (hour >= 22 || hour < 6) return 'night'
  return 'normal'
}

/** Orders per hour relative to an ordinary afternoon hour (1.0), by China hour. */
export const HOURLY_DEMAND: readonly number[] = [
  0.35, 0.25, 0.2, 0.15, 0.15, 0.2, 0.35, 0.55, 0.65, 0.6, 0.8, 1.5, 1.6, 1.0, 0.7, 0.7, 0.8, 1.4,
  1.7, 1.4, 1.0, 0.8, 0.6, 0.45,
]

/** Chinese clock time for a given day and hour, e.g. chinaTime('2025-03-04', 12) → 04:00Z. */
export function chinaTime(date: string, hour: number, minute = 0): Date {
  const [year, month, day] = date.split('-').map(Number)
  return new Date(Date.UTC(year, month - 1, day, hour, minute) - CHINA_OFFSET_MS)
}
