/**
 * A delivery's whole future, drawn once from the seed when it is created (or when a
 * tip re-opens the search for a rider): when a rider accepts (or that nobody does and
 * the carrier gives up), riders dropping the order before pickup (the carrier
 * re-dispatches, so waiting/accepted repeat), the ride to the store, the wait for the
 * goods, the ride to the customer. Pure, so tests can read a plan without a server.
 */
import type { SandboxDeliveryState } from '#sandbox/emulator'
import { offsetPoint, roadDistanceM, type Point } from '#sandbox/geo'
import type { CarrierProfile } from '#sandbox/market/carrier_profile'
import type { MarketConditions } from '#sandbox/market/conditions'
import { seededStream } from '#sandbox/random'

export interface PlannedStep {
  /** Seconds after the plan's start (sandbox time). */
  offsetS: number
  state: SandboxDeliveryState
  /** Which rider holds the order from this step on (null: none). */
  riderIndex: number | null
  note?: string
  /** The rider's movement during this step, for positions between steps. */
  leg?: { from: Point; to: Point; durationS: number }
}

export interface PlanInput {
  seed: number
  carrier: string
  clientOrderId: string
  /** 0 at creation, then one more per re-plan (tips), so each re-plan draws afresh. */
  attempt: number
  from: Point
  to: Point
  profile: CarrierProfile
  conditions: MarketConditions
  /** Number of the first rider this plan may assign. */
  firstRiderIndex: number
  /** Added to the acceptance probability (a tip attracts riders). */
  acceptanceBoost?: number
  /** Multiplies the acceptance delay (a tip shortens it). */
  delayFactor?: number
}

/** A rider drops an order at most this often before the plan stops drawing drops. */
const MAX_RIDER_DROPS = 2
/** Riders are this far from the store when they accept, metres. */
const RIDER_START_M: [number, number] = [300, 2_500]
/** Waiting at the store for the goods, seconds. */
const STORE_WAIT_S: [number, number] = [60, 420]
/** Checking the goods and leaving, seconds. */
const DEPART_S: [number, number] = [20, 90]

export function planLifecycle(input: PlanInput): PlannedStep[] {
  const { profile, conditions } = input
  const draw = seededStream(
    input.seed,
    'lifecycle',
    input.carrier,
    input.clientOrderId,
    input.attempt
  )
  const giveUpAfterS = profile.acceptance.giveUpAfterS
  const acceptance = Math.min(0.995, conditions.acceptanceRate + (input.acceptanceBoost ?? 0))
  const meanDelayS = conditions.meanAcceptDelayS * (input.delayFactor ?? 1)
  const noRider: PlannedStep[] = [
    { offsetS: giveUpAfterS, state: 'cancelled', riderIndex: null, note: 'no rider accepted' },
  ]
  if (!draw.chance(acceptance)) return noRider

  const steps: PlannedStep[] = []
  const speed = conditions.speedMps
  let t = 0
  let riderIndex = input.firstRiderIndex
  for (let drops = 0; ; drops++) {
    t += Math.max(5, draw.exponential(meanDelayS))
    if (drops === 0 && t > giveUpAfterS) return noRider
    const start = offsetPoint(
      input.from,
      draw.between(...RIDER_START_M),
      draw.between(0, 2 * Math.PI)
    )
    const toStoreS = Math.max(60, roadDistanceM(start, input.from) / speed)
    steps.push({
      offsetS: t,
      state: 'accepted',
      riderIndex,
      leg: { from: start, to: input.from, durationS: toStoreS },
    })
    if (drops < MAX_RIDER_DROPS && draw.chance(conditions.riderCancelRate)) {
      t += toStoreS * draw.between(0.2, 0.8)
      steps.push({
        offsetS: t,
        state: 'waiting',
        riderIndex: null,
        note: 'rider cancelled; re-dispatching',
      })
      riderIndex++
      continue
    }
    t += toStoreS
    break
  }
  steps.push({ offsetS: t, state: 'arrived', riderIndex })
  t += draw.between(...STORE_WAIT_S)
  steps.push({ offsetS: t, state: 'picked_up', riderIndex })
  t += draw.between(...DEPART_S)
  const rideS = (roadDistanceM(input.from, input.to) / speed) * draw.between(0.95, 1.1)
  steps.push({
    offsetS: t,
    state: 'delivering',
    riderIndex,
    leg: { from: input.from, to: input.to, durationS: rideS },
  })
  t += rideS + profile.eta.handoverS / 2
  steps.push({ offsetS: t, state: 'delivered', riderIndex })
  return steps.map((step) => ({ ...step, offsetS: Math.round(step.offsetS) }))
}
