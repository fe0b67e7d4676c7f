import { test } from '@japa/runner'
import { compileRuleset } from '#dispatch/rules/compiler'
import { loadShippedRuleset } from '#dispatch/rules/shipped_rulesets'
import {
  orderFacts,
  standardQuotes,
  rankedCarriers,
  excludedBy,
} from '#tests/unit/dispatch/support/dispatch_fixtures'
import type { FactsOverrides } from '#tests/unit/dispatch/support/dispatch_fixtures'
import { comparable, decideBoth } from '#tests/unit/dispatch/support/decide_both'

const defaults = compileRuleset(loadShippedRuleset('default'))

test.group('Default rules | strategies', () => {
  test('cost-first when nothing else applies', async ({ assert }) => {
    const { compiled, reference } = await decideBoth(defaults, orderFacts(), standardQuotes())
    assert.deepEqual(comparable(compiled), comparable(reference))
    assert.equal(compiled.strategy, 'cost-first')
    assert.deepEqual(compiled.winner, { carrier: 'dada', accountId: 'dada-main' })
    assert.deepEqual(rankedCarriers(compiled), ['dada', 'sf', 'meituan', 'uu', 'shansong'])
    assert.deepEqual(
      compiled.candidates.map((candidate) => candidate.score),
      [100, 88.8889, 84.2105, 80, 53.3333]
    )
    assert.equal(compiled.tipFen, 0)
    assert.equal(compiled.acceptTimeoutS, 60)
    assert.deepEqual(
      compiled.orderEvents.map((event) => event.rule),
      ['default-cost-first']
    )
  })

  test('speed-first at peak hours', async ({ assert }) => {
    const facts = orderFacts({ time: { hour: 12, minute: 10, minute_of_day: 730, is_peak: true } })
    const { compiled, reference } = await decideBoth(defaults, facts, standardQuotes())
    assert.deepEqual(comparable(compiled), comparable(reference))
    assert.equal(compiled.strategy, 'speed-first')
    assert.equal(compiled.winner?.carrier, 'shansong')
    assert.deepEqual(rankedCarriers(compiled), ['shansong', 'sf', 'meituan', 'dada', 'uu'])
  })

  test('speed-first for orders tagged vip', async ({ assert }) => {
    const { compiled } = await decideBoth(
      defaults,
      orderFacts({ order: { tags: ['vip'] } }),
      standardQuotes()
    )
    assert.equal(compiled.strategy, 'speed-first')
    assert.equal(compiled.winner?.carrier, 'shansong')
  })

  test('speed-first for vip merchants', async ({ assert }) => {
    const { compiled } = await decideBoth(
      defaults,
      orderFacts({ merchant: { tier: 'vip' } }),
      standardQuotes()
    )
    assert.equal(compiled.strategy, 'speed-first')
    assert.include(
      compiled.orderEvents.map((event) => event.rule),
      'vip-speed-first'
    )
  })

  test('key accounts are not treated as vip', async ({ assert }) => {
    const { compiled } = await decideBoth(
      defaults,
      orderFacts({ merchant: { tier: 'key_account' } }),
      standardQuotes()
    )
    assert.equal(compiled.strategy, 'cost-first')
  })

  test('rating-first from a declared value of 50000 fen, even at peak', async ({ assert }) => {
    const facts = orderFacts({
      order: { declared_value_fen: 50000 },
      time: { hour: 12, minute: 0, minute_of_day: 720, is_peak: true },
    })
    const { compiled, reference } = await decideBoth(defaults, facts, standardQuotes())
    assert.deepEqual(comparable(compiled), comparable(reference))
    assert.equal(compiled.strategy, 'rating-first')
    assert.equal(compiled.winner?.carrier, 'sf')
    assert.deepEqual(rankedCarriers(compiled), ['sf', 'shansong', 'dada', 'meituan', 'uu'])
    // every strategy rule fired; the highest priority one decided
    assert.deepEqual(
      compiled.orderEvents.map((event) => event.rule),
      ['high-value-rating-first', 'peak-hours-speed-first', 'default-cost-first']
    )
  })

  test('49999 fen stays cost-first', async ({ assert }) => {
    const { compiled } = await decideBoth(
      defaults,
      orderFacts({ order: { declared_value_fen: 49999 } }),
      standardQuotes()
    )
    assert.equal(compiled.strategy, 'cost-first')
  })
})

test.group('Default rules | weather overrides', () => {
  test('heavy rain adds a tip, waits longer and favours reliable carriers', async ({ assert }) => {
    const facts = orderFacts({ weather: { condition: 'heavy_rain', temperature_c: 19 } })
    const { compiled, reference } = await decideBoth(defaults, facts, standardQuotes())
    assert.deepEqual(comparable(compiled), comparable(reference))
    assert.equal(compiled.tipFen, 300)
    assert.equal(compiled.acceptTimeoutS, 180)
    assert.equal(compiled.strategy, 'cost-first')
    // sf: 88.8889 + 15 beats dada's 100; meituan (acceptance 0.65) loses 15
    assert.equal(compiled.winner?.carrier, 'sf')
    const sf = compiled.candidates.find((candidate) => candidate.carrier === 'sf')!
    assert.deepEqual(sf.adjustments, [{ by: 'severe-weather-prefer-reliable', delta: 15 }])
    assert.equal(sf.score, 103.8889)
    const meituan = compiled.candidates.find((candidate) => candidate.carrier === 'meituan')!
    assert.equal(meituan.score, 69.2105)
  })

  test('snow adds the extra snow tip on top', async ({ assert }) => {
    const facts = orderFacts({ weather: { condition: 'snow', temperature_c: -3 } })
    const { compiled } = await decideBoth(defaults, facts, standardQuotes())
    assert.equal(compiled.tipFen, 500)
    assert.equal(compiled.acceptTimeoutS, 180)
    assert.equal(compiled.winner?.carrier, 'sf')
  })

  test('extreme heat from 37 °C counts as severe weather', async ({ assert }) => {
    const hot = await decideBoth(
      defaults,
      orderFacts({ weather: { temperature_c: 37 } }),
      standardQuotes()
    )
    assert.equal(hot.compiled.tipFen, 300)
    assert.equal(hot.compiled.winner?.carrier, 'sf')
    const warm = await decideBoth(
      defaults,
      orderFacts({ weather: { temperature_c: 36.9 } }),
      standardQuotes()
    )
    assert.equal(warm.compiled.tipFen, 0)
    assert.equal(warm.compiled.winner?.carrier, 'dada')
  })

  test('plain rain changes nothing', async ({ assert }) => {
    const { compiled } = await decideBoth(
      defaults,
      orderFacts({ weather: { condition: 'rain' } }),
      standardQuotes()
    )
    assert.equal(compiled.tipFen, 0)
    assert.equal(compiled.winner?.carrier, 'dada')
  })

  test('late night waits 120 s, but severe weather outranks it with 180 s', async ({ assert }) => {
    const timeoutFor = async (overrides: FactsOverrides) => {
      const { compiled } = await decideBoth(defaults, orderFacts(overrides), standardQuotes())
      return compiled.acceptTimeoutS
    }
    assert.equal(await timeoutFor({ time: { hour: 23, minute: 30, minute_of_day: 1410 } }), 120)
    assert.equal(await timeoutFor({ time: { hour: 5, minute: 59, minute_of_day: 359 } }), 120)
    assert.equal(await timeoutFor({ time: { hour: 6, minute: 0, minute_of_day: 360 } }), 60)
    assert.equal(
      await timeoutFor({
        time: { hour: 23, minute: 0, minute_of_day: 1380 },
        weather: { condition: 'snow' },
      }),
      180
    )
  })
})

test.group('Default rules | categories', () => {
  test('medicine only goes to licensed carriers', async ({ assert }) => {
    const { compiled, reference } = await decideBoth(
      defaults,
      orderFacts({ order: { category: 'medicine' } }),
      standardQuotes()
    )
    assert.deepEqual(comparable(compiled), comparable(reference))
    assert.deepEqual(rankedCarriers(compiled), ['sf', 'shansong'])
    assert.deepEqual(excludedBy(compiled), {
      dada: 'medicine-licensed-only',
      meituan: 'medicine-licensed-only',
      uu: 'medicine-licensed-only',
    })
    assert.equal(
      compiled.candidates.find((c) => c.carrier === 'dada')?.excluded?.reason,
      'carrier is not licensed to carry medicine'
    )
    // scores are normalised among eligible quotes: sf is now the cheapest
    assert.equal(compiled.candidates[0].score, 100)
  })

  test('cold chain orders require the cold_chain capability', async ({ assert }) => {
    const { compiled } = await decideBoth(
      defaults,
      orderFacts({ order: { category: 'fresh', tags: ['cold_chain'] } }),
      standardQuotes()
    )
    assert.deepEqual(compiled.requiredCapabilities, ['cold_chain'])
    assert.deepEqual(rankedCarriers(compiled), ['sf'])
    assert.equal(excludedBy(compiled).dada, 'strategy:require-capability')
    assert.match(
      compiled.candidates.find((candidate) => candidate.carrier === 'dada')!.excluded!.reason,
      /cold_chain.*cold-chain-capability/
    )
  })

  test('cakes of 3 kg or more need a car or a van', async ({ assert }) => {
    const { compiled } = await decideBoth(
      defaults,
      orderFacts({ order: { category: 'cake', weight_g: 3000 } }),
      standardQuotes()
    )
    assert.deepEqual(rankedCarriers(compiled), ['uu', 'shansong'])
    assert.equal(excludedBy(compiled).dada, 'large-cake-needs-car')
    // fragile goods in a car or van get +5
    assert.deepEqual(compiled.candidates[0].adjustments, [
      { by: 'fragile-goods-prefer-car', delta: 5 },
    ])
    assert.equal(compiled.candidates[0].score, 105)
  })

  test('small cakes go by bike, with a small bonus for cars', async ({ assert }) => {
    const { compiled } = await decideBoth(
      defaults,
      orderFacts({ order: { category: 'cake', weight_g: 2999 } }),
      standardQuotes()
    )
    assert.deepEqual(excludedBy(compiled), {})
    assert.equal(compiled.winner?.carrier, 'dada')
    assert.equal(compiled.candidates.find((candidate) => candidate.carrier === 'uu')?.score, 85)
  })

  test('long trips penalise plain bikes', async ({ assert }) => {
    const { compiled } = await decideBoth(
      defaults,
      orderFacts({ order: { distance_m: 8000 } }),
      standardQuotes()
    )
    const meituan = compiled.candidates.find((candidate) => candidate.carrier === 'meituan')!
    assert.deepEqual(meituan.adjustments, [{ by: 'long-distance-avoid-bikes', delta: -10 }])
    const short = await decideBoth(
      defaults,
      orderFacts({ order: { distance_m: 7999 } }),
      standardQuotes()
    )
    assert.deepEqual(
      short.compiled.candidates.find((candidate) => candidate.carrier === 'meituan')!.adjustments,
      []
    )
  })

  test('no winner when every quote is excluded', async ({ assert }) => {
    const facts = orderFacts({ order: { category: 'medicine', tags: ['cold_chain'] } })
    const quotes = standardQuotes().filter((input) => input.quote.carrier !== 'sf')
    const { compiled, reference } = await decideBoth(defaults, facts, quotes)
    assert.deepEqual(comparable(compiled), comparable(reference))
    assert.isNull(compiled.winner)
    assert.isTrue(
      compiled.candidates.every((candidate) => candidate.rank === null && candidate.score === null)
    )
  })
})

test.group('Merchant preference example', () => {
  const example = compileRuleset(loadShippedRuleset('merchant_preference'))
  const bakery = {
    merchant: { id: 1001, tier: 'vip' as const },
    order: { category: 'cake' as const },
  }

  test('weighted strategy, SF bonus for cakes and UU excluded', async ({ assert }) => {
    const { compiled, reference } = await decideBoth(example, orderFacts(bakery), standardQuotes())
    assert.deepEqual(comparable(compiled), comparable(reference))
    assert.equal(compiled.strategy, 'weighted')
    assert.deepEqual(compiled.weights, { cost: 0.3, speed: 0.3, rating: 0.3, acceptance: 0.1 })
    assert.equal(excludedBy(compiled).uu, 'bakery-1001-no-uu')
    const sf = compiled.candidates.find((candidate) => candidate.carrier === 'sf')!
    assert.deepEqual(sf.adjustments, [{ by: 'bakery-1001-prefers-sf', delta: 10 }])
    assert.equal(compiled.winner?.carrier, 'sf')
  })

  test('short trips cap the fee', async ({ assert }) => {
    const quotes = standardQuotes()
    quotes[2].quote.fee_fen = 1501
    const { compiled } = await decideBoth(example, orderFacts(bakery), quotes)
    assert.equal(compiled.maxFeeFen, 1500)
    assert.equal(excludedBy(compiled).shansong, 'strategy:max-fee')
  })

  test('other merchants are untouched, fact-reference rules still apply', async ({ assert }) => {
    const cheapGoods = orderFacts({ order: { declared_value_fen: 850 } })
    const { compiled, reference } = await decideBoth(example, cheapGoods, standardQuotes())
    assert.deepEqual(comparable(compiled), comparable(reference))
    assert.equal(compiled.strategy, 'cost-first')
    // quotes dearer than the goods (850 fen) are excluded by a fact-reference condition
    assert.deepEqual(rankedCarriers(compiled), ['dada'])
    assert.equal(excludedBy(compiled).sf, 'fee-above-goods-value')
  })
})
