import { test } from '@japa/runner'
import { SandboxClock } from '#sandbox/clock'
import { FaultBook, parseFaultPatch } from '#sandbox/faults'
import { haversineM, interpolate, roadDistanceM } from '#sandbox/geo'
import { seededDigits, seededStream, seededUnit } from '#sandbox/random'
import { SandboxScheduler } from '#sandbox/scheduler'

test.group('Sandbox clock and scheduler', () => {
  test('the clock runs `speed` sandbox minutes per real second, pauses and jumps', ({ assert }) => {
    let wall = 1_000_000
    const clock = new SandboxClock({
      speed: 2,
      startAt: new Date('2025-03-04T04:00:00Z'),
      wall: () => wall,
    })
    wall += 1_500
    assert.equal(clock.now().toISOString(), '2025-03-04T04:03:00.000Z')
    assert.equal(clock.realDelayUntil(clock.nowMs() + 60_000), 500)
    clock.set({ speed: 0 })
    wall += 10_000
    assert.equal(clock.now().toISOString(), '2025-03-04T04:03:00.000Z')
    assert.equal(clock.realDelayUntil(clock.nowMs() + 1), Number.POSITIVE_INFINITY)
    clock.set({ offsetMinutes: 30 })
    assert.equal(clock.now().toISOString(), '2025-03-04T04:33:00.000Z')
    clock.set({ at: new Date('2025-03-04T12:00:00Z'), speed: 1 })
    assert.equal(clock.now().toISOString(), '2025-03-04T12:00:00.000Z')
    assert.throws(() => clock.set({ speed: -1 }), /speed must be between/)
  })

  test('the scheduler runs due tasks in time order, and all of them after a jump', async ({
    assert,
  }) => {
    const clock = new SandboxClock({ speed: 0, startAt: new Date('2025-03-04T04:00:00Z') })
    const scheduler = new SandboxScheduler(clock)
    const ran: string[] = []
    const start = clock.nowMs()
    scheduler.at(start + 120_000, () => ran.push('b'))
    scheduler.at(start + 60_000, () => ran.push('a'))
    scheduler.at(start + 60_000, () => ran.push('a2'))
    scheduler.at(start + 3_600_000, () => ran.push('c'))
    await new Promise((resolve) => setTimeout(resolve, 30))
    assert.deepEqual(ran, [], 'paused clock runs nothing')
    clock.set({ offsetMinutes: 5 })
    await new Promise((resolve) => setTimeout(resolve, 30))
    assert.deepEqual(ran, ['a', 'a2', 'b'])
    assert.equal(scheduler.pending, 1)
    scheduler.stop()
  })
})

test.group('Sandbox randomness and geometry', () => {
  test('draws depend on the key, not on the order they are asked in', ({ assert }) => {
    const a = seededUnit(42, 'quote', 'dada', 'ord-1')
    seededUnit(42, 'quote', 'dada', 'ord-2')
    assert.equal(seededUnit(42, 'quote', 'dada', 'ord-1'), a)
    assert.notEqual(seededUnit(43, 'quote', 'dada', 'ord-1'), a)
    assert.match(seededDigits(42, 16, 'id'), /^[1-9]\d{15}$/)
    const stream = seededStream(1, 'x')
    const values = Array.from({ length: 1_000 }, () => stream.next())
    assert.isTrue(values.every((value) => value >= 0 && value < 1))
    assert.closeTo(values.reduce((sum, value) => sum + value, 0) / values.length, 0.5, 0.05)
  })

  test('distances are haversine times the road factor', ({ assert }) => {
    const a = { lat: 31.190236, lng: 121.436525 }
    const b = { lat: 31.183467, lng: 121.443512 }
    assert.closeTo(haversineM(a, b), 995, 10)
    assert.equal(roadDistanceM(a, b), Math.round(haversineM(a, b) * 1.3))
    assert.deepEqual(interpolate(a, b, 2), b)
    assert.deepEqual(interpolate(a, b, 0), a)
  })
})

test.group('Sandbox fault knobs', () => {
  test('knobs are validated with readable reasons', ({ assert }) => {
    assert.deepEqual(parseFaultPatch({ errorRate: 0.5, outage: 'reset' }), {
      errorRate: 0.5,
      outage: 'reset',
    })
    assert.throws(() => parseFaultPatch({ errorRate: 2 }), /errorRate must be a number from 0 to 1/)
    assert.throws(() => parseFaultPatch({ latencyMs: -1 }), /latencyMs must be a number of ms/)
    assert.throws(() => parseFaultPatch({ lossRate: 0.1 }), /lossRate is not a fault knob/)
  })

  test('`*` sets every carrier, a carrier overrides it, reset returns to the start', ({
    assert,
  }) => {
    const faults = new FaultBook({ '*': { latencyMs: 50 }, 'dada': { errorRate: 0.2 } })
    assert.equal(faults.for('uu').latencyMs, 50)
    assert.equal(faults.for('dada').errorRate, 0.2)
    assert.equal(faults.for('dada').latencyMs, 50)
    faults.set('dada', { latencyMs: 0, outage: true })
    assert.equal(faults.for('dada').latencyMs, 0)
    assert.equal(faults.for('dada').errorRate, 0.2)
    faults.reset()
    assert.equal(faults.for('dada').outage, false)
    assert.equal(faults.for('dada').latencyMs, 50)
  })
})
