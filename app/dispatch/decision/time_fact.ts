import type { TimeFact } from '#dispatch/types'
import type { TimeWindow } from '#dispatch/rules/time_window'
import { isInTimeWindow, parseTimeWindow } from '#dispatch/rules/time_window'

/*
 * Builds the `time` fact from an instant. China has one time zone and no daylight
 * saving, so a fixed UTC offset is exact and avoids a time zone database.
 */

export const DEFAULT_PEAK_WINDOWS = ['11:00-13:30', '17:00-19:30']
export const CHINA_UTC_OFFSET_MINUTES = 480

export interface TimeFactOptions {
  utcOffsetMinutes?: number
  peakWindows?: string[]
}

export function buildTimeFact(at: Date, options: TimeFactOptions = {}): TimeFact {
  const offset = options.utcOffsetMinutes ?? CHINA_UTC_OFFSET_MINUTES
  const local = new Date(at.getTime() + offset * 60_000)
  const hour = local.getUTCHours()
  const minute = local.getUTCMinutes()
  const minuteOfDay = hour * 60 + minute
  const windows = (options.peakWindows ?? DEFAULT_PEAK_WINDOWS)
    .map(parseTimeWindow)
    .filter((window): window is TimeWindow => window !== null)
  return {
    hour,
    minute,
    weekday: local.getUTCDay() === 0 ? 7 : local.getUTCDay(),
    is_peak: windows.some((window) => isInTimeWindow(minuteOfDay, window)),
    minute_of_day: minuteOfDay,
  }
}
