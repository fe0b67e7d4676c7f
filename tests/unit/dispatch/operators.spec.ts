import { test } from '@japa/runner'
import { Almanac, Engine } from 'json-rules-engine'
import {
  findRuntimeOperator,
  registerCustomOperators,
  testWithRawValue,
} from '#dispatch/rules/operators'
import { compilePathReader, parsePath } from '#dispatch/rules/json_path'
import { OPERATOR_SPECS } from '#dispatch/rules/operator_catalog'

/*
 * The compiled evaluator's operators and paths must behave exactly like
 * json-rules-engine's, including on values rules should never see (missing
 * paths, strings where numbers belong, non-arrays): these tables run both.
 */

const ODD_VALUES: unknown[] = [
  undefined,
  null,
  0,
  1,
  -1.5,
  Number.NaN,
  '',
  '5',
  '5abc',
  'abc',
  'Infinity',
  true,
  false,
  [],
  [5],
  ['a', 'b'],
  [1, 'a'],
  {},
  { length: 1 },
]

type Outcome = boolean | 'throws'

async function engineOutcome(
  operator: string,
  factValue: unknown,
  value: unknown
): Promise<Outcome> {
  const engine = new Engine([], { allowUndefinedFacts: false })
  registerCustomOperators(engine)
  engine.addRule({
    name: 'probe',
    priority: 1,
    conditions: { all: [{ fact: 'subject', operator, value: { fact: 'object' } }] },
    event: { type: 'hit' },
  })
  try {
    const { events } = await engine.run({ subject: factValue, object: value })
    return events.length === 1
  } catch {
    return 'throws'
  }
}

function compiledOutcome(operator: string, factValue: unknown, value: unknown): Outcome {
  try {
    return testWithRawValue(findRuntimeOperator(operator)!, factValue, value) === true
  } catch {
    return 'throws'
  }
}

test.group('Operators | parity with json-rules-engine', () => {
  test('built-in operator {operator} on odd values')
    .with(
      OPERATOR_SPECS.filter((spec) => spec.kind === 'builtin').map((spec) => ({
        operator: spec.name,
      }))
    )
    .run(async ({ assert }, { operator }) => {
      const mismatches: string[] = []
      let throws = 0
      for (const factValue of ODD_VALUES) {
        for (const value of ODD_VALUES) {
          const expected = await engineOutcome(operator, factValue, value)
          const actual = compiledOutcome(operator, factValue, value)
          if (expected === 'throws') throws++
          if (expected !== actual) {
            mismatches.push(
              `${String(factValue)} ${operator} ${JSON.stringify(value)}: engine ${expected}, compiled ${actual}`
            )
          }
        }
      }
      assert.deepEqual(mismatches, [])
      // `in` and `notIn` call value.indexOf, which throws for non-strings/non-arrays
      assert.equal(throws > 0, operator === 'in' || operator === 'notIn')
    })

  test('number comparisons accept numeric-looking values like the engine', ({ assert }) => {
    const lessThan = findRuntimeOperator('lessThan')!
    assert.isTrue(lessThan.test('5', 6))
    assert.isTrue(lessThan.test([5], 6))
    assert.isFalse(lessThan.test(null, 6))
    assert.isFalse(lessThan.test(undefined, 6))
    assert.isFalse(lessThan.test('abc', 6))
  })

  test('contains is false on strings, in is a substring search on strings', ({ assert }) => {
    assert.isFalse(findRuntimeOperator('contains')!.test('cold_chain', 'cold'))
    assert.isTrue(findRuntimeOperator('in')!.test('cold', 'cold_chain'))
    assert.throws(() => findRuntimeOperator('in')!.test('x', undefined))
  })

  test('custom operators give the same results through an Engine', async ({ assert }) => {
    const samples: Array<[string, unknown, unknown]> = [
      ['inTimeWindow', { minute_of_day: 725 }, '11:00-13:30'],
      ['inTimeWindow', 1410, '22:00-06:00'],
      ['inTimeWindow', '05:59', '22:00-06:00'],
      ['inTimeWindow', 'noon', '11:00-13:30'],
      ['inDistanceBand', 2999, [0, 3000]],
      ['inDistanceBand', '2999', [0, 3000]],
      ['inCategorySet', 'cake', 'fragile'],
      ['inCategorySet', 'food', ['cake', 'food']],
      ['inCategorySet', 'food', 'unknown-set'],
      ['containsAny', ['vip'], ['vip', 'urgent']],
      ['containsAll', ['vip'], ['vip', 'urgent']],
      ['containsAll', 'vip', ['vip']],
    ]
    for (const [operator, factValue, value] of samples) {
      assert.equal(
        compiledOutcome(operator, factValue, value),
        await engineOutcome(operator, factValue, value),
        operator
      )
    }
  })
})

test.group('Operators | custom semantics', () => {
  const run = (operator: string, factValue: unknown, value: unknown) =>
    testWithRawValue(findRuntimeOperator(operator)!, factValue, value)

  test('inTimeWindow: start inclusive, end exclusive, wraps midnight', ({ assert }) => {
    assert.isTrue(run('inTimeWindow', 660, '11:00-13:30'))
    assert.isTrue(run('inTimeWindow', 809, '11:00-13:30'))
    assert.isFalse(run('inTimeWindow', 810, '11:00-13:30'))
    assert.isFalse(run('inTimeWindow', 659, '11:00-13:30'))
    assert.isTrue(run('inTimeWindow', 1320, '22:00-06:00'))
    assert.isTrue(run('inTimeWindow', 0, '22:00-06:00'))
    assert.isTrue(run('inTimeWindow', 359, '22:00-06:00'))
    assert.isFalse(run('inTimeWindow', 360, '22:00-06:00'))
    assert.isFalse(run('inTimeWindow', 1319, '22:00-06:00'))
  })

  test('inTimeWindow reads minute numbers, "HH:MM" strings and time facts; anything else is false', ({
    assert,
  }) => {
    assert.isTrue(run('inTimeWindow', '12:00', '11:00-13:30'))
    assert.isTrue(run('inTimeWindow', { hour: 12, minute_of_day: 720 }, '11:00-13:30'))
    assert.isFalse(run('inTimeWindow', 1440, '00:00-23:59'))
    assert.isFalse(run('inTimeWindow', 12.5, '00:00-23:59'))
    assert.isFalse(run('inTimeWindow', null, '00:00-23:59'))
    assert.isFalse(run('inTimeWindow', 720, '11:00-25:00'))
  })

  test('inDistanceBand is min <= metres < max', ({ assert }) => {
    assert.isTrue(run('inDistanceBand', 3000, [3000, 8000]))
    assert.isTrue(run('inDistanceBand', 7999.9, [3000, 8000]))
    assert.isFalse(run('inDistanceBand', 8000, [3000, 8000]))
    assert.isFalse(run('inDistanceBand', '5000', [3000, 8000]))
    assert.isFalse(run('inDistanceBand', 5000, [3000]))
  })

  test('inCategorySet takes a named set or a list', ({ assert }) => {
    assert.isTrue(run('inCategorySet', 'flowers', 'fragile'))
    assert.isFalse(run('inCategorySet', 'food', 'fragile'))
    assert.isTrue(run('inCategorySet', 'medicine', 'regulated'))
    assert.isTrue(run('inCategorySet', 'grocery', ['grocery']))
    assert.isFalse(run('inCategorySet', ['cake'], 'fragile'))
  })

  test('containsAny and containsAll', ({ assert }) => {
    assert.isTrue(run('containsAny', ['a', 'b'], ['b', 'c']))
    assert.isFalse(run('containsAny', ['a'], ['b', 'c']))
    assert.isFalse(run('containsAny', ['a'], []))
    assert.isTrue(run('containsAll', ['a', 'b', 'c'], ['c', 'a']))
    assert.isFalse(run('containsAll', ['a'], ['a', 'b']))
    assert.isTrue(run('containsAll', ['a'], []))
    assert.isFalse(run('containsAll', null, []))
  })
})

test.group('Paths | parity with json-rules-engine (jsonpath-plus)', () => {
  test('property and index steps resolve like the Almanac does', async ({ assert }) => {
    const values: unknown[] = [
      { a: { b: 1 } },
      { a: null },
      { a: 0 },
      { a: '' },
      { a: 'xyz' },
      { a: [10, 20] },
      { a: { b: undefined } },
      { a: { b: { c: false } } },
      Object.create({ a: { b: 'inherited' } }),
      null,
      5,
      'text',
      [1, 2],
      {},
    ]
    const paths = ['$.a', '$.a.b', '$.a[0]', '$.a[1]', '$.a.length', '$.a.b.c', '$.z', '$.a[0].b']
    const mismatches: string[] = []
    for (const value of values) {
      for (const path of paths) {
        const almanac = new Almanac()
        almanac.addFact('subject', value)
        const expected = await almanac.factValue('subject', {}, path)
        const actual = compilePathReader(path)!(value)
        if (!Object.is(expected, actual) && JSON.stringify(expected) !== JSON.stringify(actual)) {
          mismatches.push(
            `${JSON.stringify(value)} ${path}: engine ${JSON.stringify(expected)}, compiled ${JSON.stringify(actual)}`
          )
        }
      }
    }
    assert.deepEqual(mismatches, [])
  })

  test('resolved objects are the same references, as with the engine', async ({ assert }) => {
    const fact = { tags: ['vip'] }
    assert.strictEqual(compilePathReader('$.tags')!(fact), fact.tags)
    const almanac = new Almanac()
    almanac.addFact('order', fact)
    assert.strictEqual(await almanac.factValue('order', {}, '$.tags'), fact.tags)
  })

  test('only the $.a.b[0] subset parses', ({ assert }) => {
    assert.deepEqual(parsePath('$.recipient.city'), [
      { kind: 'property', key: 'recipient' },
      { kind: 'property', key: 'city' },
    ])
    assert.deepEqual(parsePath('$.tags[12]'), [
      { kind: 'property', key: 'tags' },
      { kind: 'index', key: '12' },
    ])
    for (const path of [
      '$',
      '$.',
      '$..a',
      '$.a[*]',
      '$.a[01]',
      '$["a"]',
      'a.b',
      '$.a-b',
      '$.a[0:2]',
    ]) {
      assert.isNull(parsePath(path), path)
    }
  })
})
