import type { Assert } from '@japa/assert'
import type { NormalizedEvent } from '#sdk/contract'

/** The hub's default callback window: 5 minutes ahead of its clock at most. */
const WINDOW_MS = 5 * 60_000

/**
 * Callback event times must be on the hub's (wall) clock even though the sandbox runs
 * its own fast clock from another day: the hub refuses events outside its window.
 */
export function assertOnHubClock(assert: Assert, events: NormalizedEvent[]) {
  const now = Date.now()
  for (const event of events) {
    const offset = Date.parse(event.occurredAt) - now
    assert.isBelow(
      Math.abs(offset),
      WINDOW_MS,
      `${event.eventId} at ${event.occurredAt} is ${Math.round(offset / 1000)} s off the hub's clock`
    )
  }
}
