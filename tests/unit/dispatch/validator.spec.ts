import { test } from '@japa/runner'
import { Rule } from 'json-rules-engine'
import type { RuleDocument, RulesetDocument } from '#dispatch/types'
import { validateRuleset } from '#dispatch/rules/validator'
import { compileRuleset } from '#dispatch/rules/compiler'
import { RulesetValidationError } from '#dispatch/rules/validator'
import { loadShippedRuleset, readShippedRulesetText } from '#dispatch/rules/shipped_rulesets'
import { generateDispatchCases } from '#dispatch/generators/dispatch_case_generator'
import { decide } from '#dispatch/decision/decide'
import { comparable } from '#tests/unit/dispatch/support/decide_both'

/*
 * Each invalid document is rejected with one error that names the rule code and
 * points at the offending member.
 */

function orderRule(
  conditions: unknown,
  event: unknown = { type: 'add-tip', params: { amount_fen: 100 } }
): unknown {
  return { name: 'r', priority: 1, conditions, event }
}

function ruleset(overrides: { orderRules?: unknown[]; candidateRules?: unknown[] }): unknown {
  return {
    name: 'test',
    orderRules: overrides.orderRules ?? [],
    candidateRules: overrides.candidateRules ?? [],
  }
}

function onlyError(document: unknown) {
  const result = validateRuleset(document)
  if (result.valid) throw new Error('expected the document to be rejected')
  return result.errors
}

const leaf = (fact: string, path: string | undefined, operator: string, value: unknown) => ({
  fact,
  ...(path === undefined ? {} : { path }),
  operator,
  value,
})

test.group('Ruleset validation | accepted documents', () => {
  test('the shipped rulesets are valid', ({ assert }) => {
    assert.isTrue(validateRuleset(readShippedRulesetText('default')).valid)
    assert.isTrue(validateRuleset(readShippedRulesetText('merchant_preference')).valid)
  })

  test('the shipped rules survive a json-rules-engine Rule round trip unchanged in meaning', ({
    assert,
  }) => {
    const original = loadShippedRuleset('default')
    const roundTrip = (rules: RuleDocument[]) =>
      rules.map(
        (rule) => new Rule(structuredClone(rule) as never).toJSON(false) as unknown as RuleDocument
      )
    const reloaded: RulesetDocument = {
      ...original,
      orderRules: roundTrip(original.orderRules),
      candidateRules: roundTrip(original.candidateRules),
    }
    assert.isTrue(validateRuleset(reloaded).valid)
    for (const [index, rule] of reloaded.orderRules.entries()) {
      assert.equal(rule.name, original.orderRules[index].name)
      assert.equal(rule.priority, original.orderRules[index].priority)
      assert.deepEqual(rule.event, original.orderRules[index].event)
    }
    const before = compileRuleset(original, 'v')
    const after = compileRuleset(reloaded, 'v')
    for (const { facts, quotes } of generateDispatchCases(11, 300)) {
      assert.deepEqual(
        comparable(decide(after, facts, quotes)),
        comparable(decide(before, facts, quotes))
      )
    }
  })

  test('compileRuleset refuses invalid documents with the errors attached', ({ assert }) => {
    const document = ruleset({
      orderRules: [orderRule({ all: [leaf('ordr', '$.id', 'equal', 1)] })],
    })
    try {
      compileRuleset(document)
      assert.fail('compileRuleset accepted an invalid document')
    } catch (error) {
      assert.instanceOf(error, RulesetValidationError)
      assert.equal((error as RulesetValidationError).errors[0].rule, 'unknown-fact')
    }
  })
})

test.group('Ruleset validation | rejected documents', () => {
  test('malformed JSON is one error at the document root', ({ assert }) => {
    const errors = onlyError('{"name": "x", "orderRules": [')
    assert.lengthOf(errors, 1)
    assert.equal(errors[0].pointer, '')
    assert.equal(errors[0].rule, 'json')
    assert.match(errors[0].message, /^not valid JSON/)
  })

  test('unknown fact, with a suggestion', ({ assert }) => {
    const errors = onlyError(
      ruleset({
        orderRules: [
          orderRule({
            all: [leaf('order', '$.id', 'equal', 1), leaf('order', '$.id', 'equal', 2)],
          }),
          orderRule({ any: [] }),
          orderRule({ all: [leaf('ordr', '$.category', 'equal', 'cake')] }),
        ].map((rule, index) => ({ ...(rule as object), name: `r${index}` })),
      })
    )
    assert.deepEqual(errors, [
      {
        pointer: '/orderRules/2/conditions/all/0/fact',
        rule: 'unknown-fact',
        message: 'fact "ordr" does not exist; did you mean "order"?',
      },
    ])
  })

  test('fact from the other phase', ({ assert }) => {
    const errors = onlyError(
      ruleset({ orderRules: [orderRule({ all: [leaf('quote', '$.fee_fen', 'lessThan', 500)] })] })
    )
    assert.equal(errors[0].rule, 'fact-phase')
    assert.equal(errors[0].pointer, '/orderRules/0/conditions/all/0/fact')
    assert.match(errors[0].message, /only available in candidate rules/)
  })

  test('path that does not resolve on the fact shape', ({ assert }) => {
    const errors = onlyError(
      ruleset({
        orderRules: [orderRule({ not: leaf('order', '$.recipent.city', 'equal', 'Shanghai') })],
      })
    )
    assert.deepEqual(errors, [
      {
        pointer: '/orderRules/0/conditions/not/path',
        rule: 'unknown-path',
        message:
          'path "$.recipent.city" does not resolve on fact "order": "recipent" is not a property there; did you mean "recipient"?',
      },
    ])
  })

  test('paths outside the $.a.b[0] subset', ({ assert }) => {
    for (const path of [
      '$..city',
      '$.tags[*]',
      '$.tags[?(@ == "vip")]',
      'recipient.city',
      '$.tags[-1]',
      '$',
    ]) {
      const errors = onlyError(
        ruleset({ orderRules: [orderRule({ all: [leaf('order', path, 'equal', 'x')] })] })
      )
      assert.equal(errors[0].rule, path.startsWith('$') ? 'unsupported-path' : 'schema', path)
      assert.equal(errors[0].pointer, '/orderRules/0/conditions/all/0/path', path)
    }
  })

  test('index into something that is not a list', ({ assert }) => {
    const errors = onlyError(
      ruleset({ orderRules: [orderRule({ all: [leaf('order', '$.category[0]', 'equal', 'c')] })] })
    )
    assert.equal(errors[0].rule, 'unknown-path')
    assert.match(errors[0].message, /\[0\] indexes something that is not a list/)
  })

  test('unknown operator, with a suggestion', ({ assert }) => {
    const errors = onlyError(
      ruleset({
        orderRules: [orderRule({ all: [leaf('order', '$.weight_g', 'greaterThen', 3000)] })],
      })
    )
    assert.deepEqual(errors, [
      {
        pointer: '/orderRules/0/conditions/all/0/operator',
        rule: 'unknown-operator',
        message: 'operator "greaterThen" does not exist; did you mean "greaterThan"?',
      },
    ])
  })

  test('operator decorators are not supported', ({ assert }) => {
    const errors = onlyError(
      ruleset({
        orderRules: [orderRule({ all: [leaf('order', '$.tags', 'someFact:equal', 'vip')] })],
      })
    )
    assert.equal(errors[0].rule, 'unknown-operator')
    assert.match(errors[0].message, /decorators/)
  })

  test('operator that does not fit the fact type', ({ assert }) => {
    const errors = onlyError(
      ruleset({ orderRules: [orderRule({ all: [leaf('order', '$.category', 'greaterThan', 3)] })] })
    )
    assert.deepEqual(errors, [
      {
        pointer: '/orderRules/0/conditions/all/0/operator',
        rule: 'operator-type',
        message: 'operator "greaterThan" works on number, but order $.category is string',
      },
    ])
    const whole = onlyError(
      ruleset({ orderRules: [orderRule({ all: [leaf('order', undefined, 'equal', 3)] })] })
    )
    assert.match(whole[0].message, /add a path such as "\$\.id"/)
  })

  test('values that do not fit the operator or the fact', ({ assert }) => {
    const cases: Array<[unknown, string, RegExp]> = [
      [
        leaf('weather', '$.condition', 'equal', 'rainy'),
        '/value',
        /"rainy" is not one of: clear, cloudy, rain, heavy_rain, snow; did you mean "rain"\?/,
      ],
      [leaf('weather', '$.condition', 'in', 'rain'), '/value', /in needs a non-empty list/],
      [leaf('weather', '$.condition', 'in', ['rain', 'hail']), '/value/1', /"hail" is not one of/],
      [leaf('order', '$.weight_g', 'lessThan', '3000'), '/value', /lessThan needs a number value/],
      [leaf('order', '$.is_scheduled', 'equal', 'true'), '/value', /"true" is not a boolean/],
      [
        leaf('time', undefined, 'inTimeWindow', '25:00-01:00'),
        '/value',
        /inTimeWindow needs "HH:MM-HH:MM"/,
      ],
      [leaf('time', undefined, 'inTimeWindow', '11:00-11:00'), '/value', /different start and end/],
      [leaf('order', '$.distance_m', 'inDistanceBand', [5000, 1000]), '/value', /0 <= min < max/],
      [leaf('order', '$.category', 'inCategorySet', 'fragil'), '/value', /did you mean "fragile"/],
      [
        leaf('order', '$.category', 'inCategorySet', ['cake', 'pie']),
        '/value/1',
        /"pie" is not one of/,
      ],
      [leaf('order', '$.tags', 'containsAny', []), '/value', /non-empty list/],
      [
        leaf('order', '$.weight_g', 'lessThan', { fact: 'order', path: '$.category' }),
        '/value',
        /lessThan needs a number here, but order \$.category is string/,
      ],
      [
        leaf('order', '$.weight_g', 'lessThan', { fact: 'ordr', path: '$.item_count' }),
        '/value/fact',
        /did you mean "order"/,
      ],
      [
        leaf('order', '$.weight_g', 'lessThan', { fact: 'order', path: '$.itemcount' }),
        '/value/path',
        /did you mean "item_count"/,
      ],
      [
        leaf('order', '$.weight_g', 'lessThan', {
          fact: 'order',
          path: '$.item_count',
          params: {},
        }),
        '/value/params',
        /only takes "fact" and "path"/,
      ],
      [
        leaf('time', undefined, 'inTimeWindow', { fact: 'time' }),
        '/value',
        /needs a literal value/,
      ],
    ]
    for (const [condition, suffix, message] of cases) {
      const errors = onlyError(ruleset({ orderRules: [orderRule({ all: [condition] })] }))
      assert.lengthOf(errors, 1, JSON.stringify(condition))
      assert.equal(
        errors[0].pointer,
        `/orderRules/0/conditions/all/0${suffix}`,
        JSON.stringify(condition)
      )
      assert.oneOf(errors[0].rule, ['value-type', 'unknown-fact', 'unknown-path'])
      assert.match(errors[0].message, message)
    }
  })

  test('bad priorities', ({ assert }) => {
    for (const priority of [0, -1, 1.5, '10', null]) {
      const document = ruleset({
        orderRules: [{ ...(orderRule({ all: [] }) as object), priority }],
      })
      const errors = onlyError(document)
      assert.deepEqual(
        errors.map((error) => [error.pointer, error.rule]),
        [['/orderRules/0/priority', 'priority']],
        String(priority)
      )
      assert.match(errors[0].message, /positive integer/)
    }
    const nested = onlyError(ruleset({ orderRules: [orderRule({ all: [], priority: 0 })] }))
    assert.deepEqual(
      nested.map((error) => [error.pointer, error.rule]),
      [['/orderRules/0/conditions/priority', 'priority']]
    )
  })

  test('missing priority', ({ assert }) => {
    const errors = onlyError(
      ruleset({
        orderRules: [
          {
            name: 'r',
            conditions: { all: [] },
            event: { type: 'add-tip', params: { amount_fen: 1 } },
          },
        ],
      })
    )
    assert.deepEqual(errors, [
      {
        pointer: '/orderRules/0/priority',
        rule: 'schema',
        message: 'missing required property "priority"',
      },
    ])
  })

  test('wrong event params', ({ assert }) => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ type: 'add-tip', params: { amount_fen: -5 } }, '/params/amount_fen', /must be >= 1/],
      [{ type: 'add-tip', params: { amount_fen: 1.5 } }, '/params/amount_fen', /must be integer/],
      [{ type: 'add-tip' }, '/params/amount_fen', /"add-tip" needs params.amount_fen/],
      [
        { type: 'add-tip', params: { amount: 100 } },
        '/params/amount',
        /does not take params.amount/,
      ],
      [
        { type: 'set-strategy', params: { strategy: 'cheapest' } },
        '/params/strategy',
        /must be one of: cost-first, speed-first, rating-first, weighted/,
      ],
      [
        {
          type: 'set-strategy',
          params: {
            strategy: 'cost-first',
            weights: { cost: 1, speed: 0, rating: 0, acceptance: 0 },
          },
        },
        '/params/weights',
        /only apply to the "weighted" strategy/,
      ],
      [
        {
          type: 'set-strategy',
          params: {
            strategy: 'weighted',
            weights: { cost: 0, speed: 0, rating: 0, acceptance: 0 },
          },
        },
        '/params/weights',
        /at least one weight/,
      ],
      [
        { type: 'prefer-carrier', params: { carrier: 'sf', bonus: 0 } },
        '/params/bonus',
        /must not be 0/,
      ],
      [
        { type: 'exclude-carrier', params: { carrier: 'SF Express', reason: 'x' } },
        '/params/carrier',
        /must match pattern/,
      ],
      [{ type: 'set-accept-timeout', params: { seconds: 5 } }, '/params/seconds', /must be >= 10/],
    ]
    for (const [event, suffix, message] of cases) {
      const errors = onlyError(ruleset({ orderRules: [orderRule({ all: [] }, event)] }))
      assert.isTrue(
        errors.every((error) => error.rule === 'event-params'),
        JSON.stringify(errors)
      )
      const pointed = errors.find((error) => error.pointer === `/orderRules/0/event${suffix}`)
      assert.exists(pointed, JSON.stringify({ event, errors }))
      assert.match(pointed!.message, message)
    }
  })

  test('event type from the other phase, or unknown', ({ assert }) => {
    const exclude = onlyError(
      ruleset({
        orderRules: [orderRule({ all: [] }, { type: 'exclude', params: { reason: 'x' } })],
      })
    )
    assert.deepEqual(
      exclude.map((error) => [error.pointer, error.rule]),
      [['/orderRules/0/event/type', 'event-phase']]
    )
    assert.match(
      exclude[0].message,
      /belongs to candidate rules; order rules can emit: set-strategy/
    )

    const strategy = onlyError(
      ruleset({
        candidateRules: [
          orderRule({ all: [] }, { type: 'set-strategy', params: { strategy: 'cost-first' } }),
        ],
      })
    )
    assert.deepEqual(
      strategy.map((error) => [error.pointer, error.rule]),
      [['/candidateRules/0/event/type', 'event-phase']]
    )

    const typo = onlyError(
      ruleset({ orderRules: [orderRule({ all: [] }, { type: 'set-stratgy', params: {} })] })
    )
    assert.equal(typo[0].rule, 'unknown-event')
    assert.match(typo[0].message, /did you mean "set-strategy"/)
  })

  test('structural problems are pointed too', ({ assert }) => {
    const leafRoot = onlyError(
      ruleset({ orderRules: [orderRule(leaf('order', '$.id', 'equal', 1))] })
    )
    assert.deepEqual(
      leafRoot.map((error) => error.pointer),
      ['/orderRules/0/conditions']
    )
    assert.match(leafRoot[0].message, /exactly one of "all", "any" or "not"/)

    const typo = onlyError(
      ruleset({ orderRules: [{ ...(orderRule({ all: [] }) as object), evnt: {} }] })
    )
    assert.deepEqual(
      typo.map((error) => error.pointer),
      ['/orderRules/0/evnt']
    )
    assert.match(typo[0].message, /unknown property "evnt"; did you mean "event"\?/)

    const params = onlyError(
      ruleset({
        orderRules: [orderRule({ all: [{ ...leaf('order', '$.id', 'equal', 1), params: {} }] })],
      })
    )
    assert.deepEqual(
      params.map((error) => error.pointer),
      ['/orderRules/0/conditions/all/0/params']
    )

    const notArray = onlyError(
      ruleset({ orderRules: [orderRule({ not: [leaf('order', '$.id', 'equal', 1)] })] })
    )
    assert.equal(notArray[0].pointer, '/orderRules/0/conditions/not')
  })

  test('duplicate rule names across phases', ({ assert }) => {
    const errors = onlyError(
      ruleset({
        orderRules: [orderRule({ all: [] })],
        candidateRules: [orderRule({ all: [] }, { type: 'adjust-score', params: { delta: 1 } })],
      })
    )
    assert.deepEqual(
      errors.map((error) => [error.pointer, error.rule]),
      [['/candidateRules/0/name', 'duplicate-rule-name']]
    )
  })

  test('several problems are reported together', ({ assert }) => {
    const errors = onlyError(
      ruleset({
        orderRules: [
          orderRule(
            { all: [leaf('ordr', '$.id', 'equal', 1), leaf('order', '$.id', 'equalz', 1)] },
            { type: 'add-tip', params: {} }
          ),
        ],
      })
    )
    assert.sameMembers(
      errors.map((error) => error.rule),
      ['unknown-fact', 'unknown-operator', 'event-params']
    )
  })
})
