import { test } from '@japa/runner'
import { baseScores, compareForRanking } from '#dispatch/decision/strategies'
import type { RankingKey } from '#dispatch/decision/strategies'
import { compileRuleset } from '#dispatch/rules/compiler'
import { decide } from '#dispatch/decision/decide'
import {
  orderFacts,
  standardQuotes,
  rankedCarriers,
} from '#tests/unit/dispatch/support/dispatch_fixtures'

const input = (feeFen: number, etaS: number, rating: number, acceptanceRate: number) => ({
  candidate: { feeFen, etaS },
  rating,
  acceptanceRate,
})

const inputs = [input(800, 1500, 4.6, 0.85), input(1000, 1000, 5, 0.5), input(0, 0, 7, 1.2)]

function strategyRuleset(params: Record<string, unknown>) {
  return compileRuleset({
    name: 'strategy',
    orderRules: [
      {
        name: 'pick',
        priority: 1,
        conditions: { all: [] },
        event: { type: 'set-strategy', params },
      },
    ],
    candidateRules: [],
  })
}

interface KeyFields {
  feeFen: number
  etaS: number
  acceptanceRate: number
  score: number
  carrier: string
  accountId: string
  inputIndex: number
}

function key(overrides: Partial<KeyFields>): RankingKey {
  const fields: KeyFields = {
    feeFen: 1000,
    etaS: 1000,
    acceptanceRate: 0.8,
    score: 50,
    carrier: 'dada',
    accountId: 'a',
    inputIndex: 0,
    ...overrides,
  }
  return {
    candidate: {
      carrier: fields.carrier,
      accountId: fields.accountId,
      feeFen: fields.feeFen,
      etaS: fields.etaS,
      baseScore: fields.score,
      score: fields.score,
      adjustments: [],
      excluded: null,
      rank: null,
    },
    rating: 4.5,
    acceptanceRate: fields.acceptanceRate,
    inputIndex: fields.inputIndex,
  }
}

test.group('Strategies | scores', () => {
  test('cost-first and speed-first score 100 × best / own, with values below 1 counted as 1', ({
    assert,
  }) => {
    assert.deepEqual(baseScores('cost-first', undefined, inputs.slice(0, 2)), [100, 80])
    assert.deepEqual(baseScores('speed-first', undefined, inputs.slice(0, 2)), [
      (100 * 1000) / 1500,
      100,
    ])
    assert.deepEqual(baseScores('cost-first', undefined, inputs), [100 / 800, 100 / 1000, 100])
  })

  test('rating-first scores 20 × rating, clamped to 0-5', ({ assert }) => {
    assert.deepEqual(baseScores('rating-first', undefined, inputs), [92, 100, 100])
  })

  test('weighted blends the four scores with normalised weights', ({ assert }) => {
    const weights = { cost: 2, speed: 0, rating: 0, acceptance: 2 }
    const [first, second] = baseScores('weighted', weights, inputs.slice(0, 2))
    assert.closeTo(first, (100 + 85) / 2, 1e-9)
    assert.closeTo(second, (80 + 50) / 2, 1e-9)
  })

  test('broken numbers score 0 instead of poisoning the ranking', ({ assert }) => {
    const scores = baseScores('weighted', undefined, [
      input(Number.NaN, Number.NaN, Number.NaN, Number.NaN),
    ])
    assert.deepEqual(scores, [0])
  })
})

test.group('Strategies | ranking', () => {
  test('higher score first, then the strategy tie-breakers, then carrier and account ids', ({
    assert,
  }) => {
    const costFirst = compareForRanking('cost-first')
    assert.isBelow(costFirst(key({ score: 60 }), key({ score: 50 })), 0)
    assert.isBelow(costFirst(key({ feeFen: 900 }), key({ feeFen: 1000, etaS: 1 })), 0)
    assert.isBelow(costFirst(key({ etaS: 900 }), key({ etaS: 1000 })), 0)
    assert.isBelow(costFirst(key({ carrier: 'dada' }), key({ carrier: 'sf' })), 0)
    assert.isBelow(costFirst(key({ accountId: 'a' }), key({ accountId: 'b' })), 0)
    assert.isBelow(costFirst(key({ inputIndex: 1 }), key({ inputIndex: 2 })), 0)

    const speedFirst = compareForRanking('speed-first')
    assert.isBelow(
      speedFirst(key({ etaS: 900, feeFen: 2000 }), key({ etaS: 1000, feeFen: 100 })),
      0
    )

    const ratingFirst = compareForRanking('rating-first')
    assert.isBelow(
      ratingFirst(key({ acceptanceRate: 0.9, feeFen: 2000 }), key({ acceptanceRate: 0.8 })),
      0
    )
  })

  test('NaN fees fall through to the next key instead of breaking the sort', ({ assert }) => {
    const compare = compareForRanking('cost-first')
    assert.isBelow(compare(key({ feeFen: Number.NaN, etaS: 10 }), key({ feeFen: 5, etaS: 20 })), 0)
  })

  test('carrier ids compare by code units, not locale', ({ assert }) => {
    const compare = compareForRanking('cost-first')
    assert.isBelow(compare(key({ carrier: 'Zeta' }), key({ carrier: 'alpha' })), 0)
  })

  test('equal fees fall back to ETA, then carrier id', ({ assert }) => {
    const quotes = standardQuotes()
    for (const offer of quotes) offer.quote.fee_fen = 1000
    quotes[0].quote.pickup_eta_s = 240
    quotes[0].quote.dropoff_eta_s = 600
    const decision = decide(strategyRuleset({ strategy: 'cost-first' }), orderFacts(), quotes)
    // dada and shansong tie on fee and ETA (840 s): carrier id decides
    assert.deepEqual(rankedCarriers(decision), ['dada', 'shansong', 'sf', 'meituan', 'uu'])
    assert.isTrue(decision.candidates.every((candidate) => candidate.score === 100))
  })

  test('weighted without weights uses the defaults and records them', ({ assert }) => {
    const decision = decide(
      strategyRuleset({ strategy: 'weighted' }),
      orderFacts(),
      standardQuotes()
    )
    assert.deepEqual(decision.weights, { cost: 0.4, speed: 0.3, rating: 0.2, acceptance: 0.1 })
    assert.deepEqual(rankedCarriers(decision), ['sf', 'dada', 'shansong', 'meituan', 'uu'])
  })

  test('candidates are listed ranked first, then excluded in input order', ({ assert }) => {
    const ruleset = compileRuleset({
      name: 'exclusions',
      orderRules: [
        {
          name: 'no-uu',
          priority: 1,
          conditions: { all: [] },
          event: { type: 'exclude-carrier', params: { carrier: 'uu', reason: 'test' } },
        },
        {
          name: 'no-dada',
          priority: 1,
          conditions: { all: [] },
          event: { type: 'exclude-carrier', params: { carrier: 'dada', reason: 'test' } },
        },
      ],
      candidateRules: [],
    })
    const decision = decide(ruleset, orderFacts(), standardQuotes())
    assert.deepEqual(
      decision.candidates.map((candidate) => [candidate.carrier, candidate.rank]),
      [
        ['sf', 1],
        ['meituan', 2],
        ['shansong', 3],
        ['dada', null],
        ['uu', null],
      ]
    )
  })
})
