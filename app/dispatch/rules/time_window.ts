/*
 * "11:00-13:30" style windows on the local clock. The end is exclusive and a
 * window whose end is before its start wraps midnight ("22:00-06:00").
 */

export interface TimeWindow {
  start: number
  end: number
}

const CLOCK = /^([01][0-9]|2[0-3]):([0-5][0-9])$/
const WINDOW = /^([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-3]):([0-5][0-9])$/

export function parseClock(text: string): number | null {
  const match = CLOCK.exec(text)
  return match ? Number(match[1]) * 60 + Number(match[2]) : null
}

export function parseTimeWindow(text: unknown): TimeWindow | null {
  if (typeof text !== 'string') return null
  const match = WINDOW.exec(text)
  if (!match) return null
  const start = Number(match[1]) * 60 + Number(match[2])
  const end = Number(match[3]) * 60 + Number(match[4])
  return start === end ? null : { start, end }
}

export function isInTimeWindow(minuteOfDay: number, window: TimeWindow): boolean {
  if (window.start < window.end) return minuteOfDay >= window.start && minuteOfDay < window.end
  return minuteOfDay >= window.start || minuteOfDay < window.end
}

/** Accepts a minute-of-day number, an "HH:MM" string or a `time` fact object. */
export function toMinuteOfDay(value: unknown): number | null {
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= 0 && value < 1440 ? value : null
  }
  if (typeof value === 'string') return parseClock(value)
  if (value !== null && typeof value === 'object' && Object.hasOwn(value, 'minute_of_day')) {
    return toMinuteOfDay((value as { minute_of_day: unknown }).minute_of_day)
  }
  return null
}
