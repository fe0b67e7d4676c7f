import { test } from '@japa/runner'
import { planLifecycle, type PlanInput } from '#sandbox/deliveries/lifecycle_plan'
import { DEFAULT_PROFILES } from '#sandbox/market/carrier_profiles'
import {
  customerAt,
  LUNCH_PEAK,
  marketWith,
  OFF_PEAK,
  STORE,
} from '#tests/unit/sandbox/market_helpers'

function input(clientOrderId: string, overrides: Partial<PlanInput> = {}): PlanInput {
  const market = marketWith('clear')
  return {
    seed: 42,
    carrier: 'dada',
    clientOrderId,
    attempt: 0,
    from: STORE,
    to: customerAt(3),
    profile: DEFAULT_PROFILES.dada,
    conditions: market.conditions('dada', '上海', OFF_PEAK),
    firstRiderIndex: 0,
    ...overrides,
  }
}

test.group('Sandbox life cycle | plans', () => {
  test('a plan is a pure function of seed, carrier and order', ({ assert }) => {
    assert.deepEqual(planLifecycle(input('ord-1')), planLifecycle(input('ord-1')))
    assert.notDeepEqual(planLifecycle(input('ord-1')), planLifecycle(input('ord-2')))
    assert.notDeepEqual(planLifecycle(input('ord-1')), planLifecycle(input('ord-1', { seed: 7 })))
  })

  test('an accepted order runs forward to delivered, in time order', ({ assert }) => {
    const plan = planLifecycle(input('ord-happy'))
    assert.deepEqual(plan.map((step) => step.state).slice(-4), [
      'arrived',
      'picked_up',
      'delivering',
      'delivered',
    ])
    for (let index = 1; index < plan.length; index++) {
      assert.isAtLeast(plan[index].offsetS, plan[index - 1].offsetS)
    }
    const delivering = plan.find((step) => step.state === 'delivering')!
    assert.deepEqual(delivering.leg?.from, STORE)
    assert.deepEqual(delivering.leg?.to, customerAt(3))
    // 3 km by road at 4.8 m/s is about 10 minutes on the bike.
    assert.closeTo(delivering.leg!.durationS, 3_000 / 4.8, 120)
  })

  test('riders who drop an order make waiting/accepted repeat with a new rider', ({ assert }) => {
    const conditions = {
      ...marketWith('clear').conditions('dada', '上海', OFF_PEAK),
      riderCancelRate: 0.4,
    }
    const plans = Array.from({ length: 40 }, (_, index) =>
      planLifecycle(input(`ord-drop-${index}`, { conditions }))
    )
    const withDrop = plans.find((plan) => plan.some((step) => step.state === 'waiting'))
    assert.exists(withDrop, 'some rider dropped an order')
    const sequence = withDrop!.map((step) => step.state)
    const dropAt = sequence.indexOf('waiting')
    assert.equal(sequence[dropAt - 1], 'accepted')
    assert.equal(sequence[dropAt + 1], 'accepted')
    assert.notEqual(withDrop![dropAt - 1].riderIndex, withDrop![dropAt + 1].riderIndex)
    assert.equal(withDrop![dropAt].note, 'rider cancelled; re-dispatching')
    assert.equal(sequence.at(-1), 'delivered')
    for (const plan of plans) {
      assert.isAtMost(
        plan.filter((step) => step.state === 'waiting').length,
        2,
        'at most two drops'
      )
    }
  })

  test('when nobody accepts, the carrier cancels after giving up', ({ assert }) => {
    const conditions = { ...marketWith('heavy_rain').conditions('uu', '上海', LUNCH_PEAK) }
    assert.isBelow(conditions.acceptanceRate, 0.5)
    const plans = Array.from({ length: 40 }, (_, index) =>
      planLifecycle(
        input(`ord-reject-${index}`, { carrier: 'uu', profile: DEFAULT_PROFILES.uu, conditions })
      )
    )
    const rejected = plans.filter((plan) => plan.length === 1)
    assert.isAbove(rejected.length, 10)
    assert.deepEqual(rejected[0], [
      {
        offsetS: DEFAULT_PROFILES.uu.acceptance.giveUpAfterS,
        state: 'cancelled',
        riderIndex: null,
        note: 'no rider accepted',
      },
    ])
  })

  test('a tip re-plan draws afresh, with better odds and a quicker acceptance', ({ assert }) => {
    const conditions = {
      ...marketWith('clear').conditions('dada', '上海', OFF_PEAK),
      acceptanceRate: 0.5,
    }
    const accepted = (boost: number, attempt: number) =>
      Array.from(
        { length: 200 },
        (_, index) =>
          planLifecycle(input(`ord-tip-${index}`, { conditions, attempt, acceptanceBoost: boost }))
            .length > 1
      ).filter(Boolean).length
    assert.isAbove(accepted(0.3, 1), accepted(0, 0) + 20)
    assert.notDeepEqual(
      planLifecycle(input('ord-tip-1', { attempt: 1 })),
      planLifecycle(input('ord-tip-1'))
    )
    const meanAcceptS = (delayFactor: number) => {
      const offsets = Array.from({ length: 200 }, (_, index) =>
        planLifecycle(input(`ord-quick-${index}`, { delayFactor })).find(
          (step) => step.state === 'accepted'
        )
      ).flatMap((step) => (step ? [step.offsetS] : []))
      return offsets.reduce((sum, value) => sum + value, 0) / offsets.length
    }
    assert.isBelow(meanAcceptS(0.6), meanAcceptS(1))
  })
})
