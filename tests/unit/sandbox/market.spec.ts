import { test } from '@japa/runner'
import type { CarrierProfile } from '#sandbox/market/carrier_profile'
import { DADA, DEFAULT_PROFILES, FENGNIAO, OWN_FLEET, UU } from '#sandbox/market/carrier_profiles'
import { priceFen } from '#sandbox/market/pricing'
import {
  cheapest,
  customerAt,
  fastest,
  LUNCH_PEAK,
  marketWith,
  OFF_PEAK,
  quoteAll,
  STORE,
  usualWinner,
} from '#tests/unit/sandbox/market_helpers'

test.group('Sandbox market | determinism', () => {
  test('the same seed gives the same quotes, whatever the order of requests', ({ assert }) => {
    const orders = Array.from({ length: 20 }, (_, index) => ({
      roadKm: 1 + (index % 9),
      at: OFF_PEAK,
      orderKey: `ord-${index}`,
      orderIndex: index,
    }))
    const first = marketWith('rain')
    const forward = orders.map((order) => quoteAll(first, order))
    const second = marketWith('rain')
    const backward = [...orders]
      .reverse()
      .map((order) => quoteAll(second, order))
      .reverse()
    assert.deepEqual(backward, forward)
  })

  test('another seed draws other prices and capacity', ({ assert }) => {
    const order = { roadKm: 3, at: LUNCH_PEAK, orderKey: 'ord-seed' }
    const seeds = [1, 2, 3, 4, 5].map((seed) =>
      JSON.stringify(quoteAll(marketWith('clear', { seed }), order))
    )
    assert.isAbove(new Set(seeds).size, 1)
  })

  test('prices follow the formula: base + distance bands + weight + time + weather', ({
    assert,
  }) => {
    // Dada at 8 km, 7.2 kg, lunch rush, rain: 600 + (2 km × 150 + 3 km × 250) + 3 kg × 200 + 300 + 300
    const breakdown = priceFen(DADA.pricing, {
      distanceM: 8_000,
      weightG: 7_200,
      period: 'peak',
      condition: 'rain',
    })
    assert.deepEqual(breakdown, {
      baseFen: 600,
      distanceFen: 1_050,
      weightFen: 600,
      timeFen: 300,
      weatherFen: 300,
      totalFen: 2_850,
    })
    const quote = marketWith('rain').quote({
      carrier: 'dada',
      city: '上海',
      from: STORE,
      to: customerAt(8),
      weightG: 7_200,
      at: LUNCH_PEAK,
      orderKey: 'ord-formula',
    })
    // The market adds ±2 % per-order jitter and rounds to 0.1 yuan.
    if (quote.ok) assert.closeTo(quote.feeFen, 2_850, 2_850 * 0.025)
    else assert.equal(quote.reason, 'no_capacity')
  })

  test('carriers refuse orders beyond their range', ({ assert }) => {
    const quotes = quoteAll(marketWith('clear'), { roadKm: 12, at: OFF_PEAK, orderKey: 'far' })
    const refused = quotes.filter((q) => !q.ok && q.reason === 'out_of_range').map((q) => q.carrier)
    assert.sameMembers(refused, ['meituan', 'own_fleet'])
  })
})

test.group('Sandbox market | no carrier always wins', () => {
  test('by distance: UU is cheapest nearby, SF Same-city far away', ({ assert }) => {
    const market = marketWith('clear')
    assert.equal(usualWinner(market, cheapest, { roadKm: 1.5, at: OFF_PEAK }), 'uu')
    assert.equal(usualWinner(market, cheapest, { roadKm: 12, at: OFF_PEAK }), 'sf_same_city')
    assert.equal(usualWinner(market, fastest, { roadKm: 1.5, at: OFF_PEAK }), 'own_fleet')
    assert.equal(usualWinner(market, fastest, { roadKm: 12, at: OFF_PEAK }), 'shansong')
  })

  test('by hour: Meituan takes over at the lunch rush', ({ assert }) => {
    const market = marketWith('clear')
    assert.equal(usualWinner(market, cheapest, { roadKm: 1.5, at: OFF_PEAK }), 'uu')
    assert.equal(usualWinner(market, cheapest, { roadKm: 1.5, at: LUNCH_PEAK }), 'meituan')
    assert.equal(usualWinner(market, fastest, { roadKm: 1.5, at: LUNCH_PEAK }), 'meituan')
  })

  test('by weather: own fleet in rain, Meituan and SF Same-city in heavy rain', ({ assert }) => {
    const scenario = { roadKm: 1.5, at: OFF_PEAK }
    assert.equal(usualWinner(marketWith('clear'), cheapest, scenario), 'uu')
    assert.equal(usualWinner(marketWith('rain'), cheapest, scenario), 'own_fleet')
    assert.equal(usualWinner(marketWith('heavy_rain'), cheapest, scenario), 'meituan')
    assert.equal(usualWinner(marketWith('clear'), fastest, scenario), 'own_fleet')
    assert.equal(usualWinner(marketWith('heavy_rain'), fastest, scenario), 'sf_same_city')
  })

  test('a made-up registry: the market only applies the formulas it is given', ({ assert }) => {
    const flat: CarrierProfile = {
      ...FENGNIAO,
      carrier: 'flat_rate',
      pricing: { ...FENGNIAO.pricing, baseFen: 1_000, bands: [{ fromKm: 0, perKmFen: 0 }] },
      maxRangeM: 50_000,
    }
    const perKm: CarrierProfile = {
      ...FENGNIAO,
      carrier: 'per_km',
      pricing: { ...FENGNIAO.pricing, baseFen: 200, bands: [{ fromKm: 0, perKmFen: 200 }] },
      maxRangeM: 50_000,
    }
    const market = marketWith('clear', { profiles: { flat_rate: flat, per_km: perKm } })
    assert.deepEqual(market.carriers(), ['flat_rate', 'per_km'])
    assert.equal(usualWinner(market, cheapest, { roadKm: 2, at: OFF_PEAK }), 'per_km')
    assert.equal(usualWinner(market, cheapest, { roadKm: 8, at: OFF_PEAK }), 'flat_rate')
  })
})

test.group('Sandbox market | capacity', () => {
  function noCapacityShare(condition: 'clear' | 'heavy_rain', at: Date, carrier: string) {
    const market = marketWith(condition)
    let refused = 0
    for (let index = 0; index < 200; index++) {
      const quote = market.quote({
        carrier,
        city: '上海',
        from: STORE,
        to: customerAt(2, index),
        weightG: 1_000,
        at,
        orderKey: `cap-${index}`,
      })
      if (!quote.ok && quote.reason === 'no_capacity') refused++
    }
    return refused / 200
  }

  test('riders run out in heavy rain, most of all at peak and for thin fleets', ({ assert }) => {
    for (const carrier of Object.keys(DEFAULT_PROFILES)) {
      assert.equal(noCapacityShare('clear', OFF_PEAK, carrier), 0, `${carrier} clear off-peak`)
    }
    assert.isAbove(noCapacityShare('heavy_rain', OFF_PEAK, UU.carrier), 0.6)
    assert.isAbove(noCapacityShare('heavy_rain', OFF_PEAK, OWN_FLEET.carrier), 0.4)
    assert.equal(noCapacityShare('heavy_rain', OFF_PEAK, 'meituan'), 0)
    for (const carrier of Object.keys(DEFAULT_PROFILES)) {
      assert.isAbove(
        noCapacityShare('heavy_rain', LUNCH_PEAK, carrier),
        0.5,
        `${carrier} heavy rain at lunch`
      )
    }
  })

  test('busy carriers accept less often and more slowly', ({ assert }) => {
    const calm = marketWith('clear').conditions('dada', '上海', OFF_PEAK)
    const storm = marketWith('heavy_rain').conditions('dada', '上海', LUNCH_PEAK)
    assert.isBelow(calm.pressure, 1)
    assert.isAbove(storm.pressure, 2)
    assert.isAbove(calm.acceptanceRate, storm.acceptanceRate)
    assert.isBelow(calm.meanAcceptDelayS, storm.meanAcceptDelayS)
    assert.isAbove(calm.rating, storm.rating)
    assert.isAbove(calm.speedMps, storm.speedMps)
  })
})

test.group('Sandbox market | cancellation fees', () => {
  test('free before acceptance, a fixed fee until pickup, a share of the fee after', ({
    assert,
  }) => {
    const market = marketWith('clear')
    const fee = 1_500
    assert.equal(market.cancellationFeeFen('dada', 'waiting', fee), 0)
    assert.equal(market.cancellationFeeFen('dada', 'accepted', fee), 200)
    assert.equal(market.cancellationFeeFen('dada', 'arrived', fee), 200)
    assert.equal(market.cancellationFeeFen('dada', 'picked_up', fee), 1_500)
    assert.equal(market.cancellationFeeFen('dada', 'delivering', fee), 1_500)
    assert.equal(market.cancellationFeeFen('own_fleet', 'picked_up', fee), 750)
    assert.equal(market.cancellationFeeFen('dada', 'delivered', fee), 0)
  })
})
