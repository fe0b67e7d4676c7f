import { test } from '@japa/runner'
import { createTenant, createUser, rawRequest } from '#tests/helpers/fixtures'
import { actorOf, createOverride, publishDraft } from '#services/rulesets/ruleset_service'
import { RULESETS, defaults } from '#tests/functional/rulesets/helpers'

type Mutation = (document: any) => void

/** Each case breaks the shipped defaults in one way and names the error it must produce. */
const INVALID: Array<{
  what: string
  mutate: Mutation
  pointer: string
  rule: string
  says: RegExp
}> = [
  {
    what: 'an unknown fact',
    mutate: (d) => {
      d.orderRules[0].conditions = {
        all: [{ fact: 'ordr', path: '$.tags', operator: 'contains', value: 'cold_chain' }],
      }
    },
    pointer: '/orderRules/0/conditions/all/0/fact',
    rule: 'unknown-fact',
    says: /did you mean "order"/,
  },
  {
    what: 'an unknown operator',
    mutate: (d) => {
      d.orderRules[0].conditions = {
        all: [{ fact: 'order', path: '$.category', operator: 'equalz', value: 'cake' }],
      }
    },
    pointer: '/orderRules/0/conditions/all/0/operator',
    rule: 'unknown-operator',
    says: /did you mean "equal"/,
  },
  {
    what: 'an unsupported path',
    mutate: (d) => {
      d.orderRules[0].conditions = {
        all: [{ fact: 'order', path: '$..category', operator: 'equal', value: 'cake' }],
      }
    },
    pointer: '/orderRules/0/conditions/all/0/path',
    rule: 'unsupported-path',
    says: /not supported/,
  },
  {
    what: 'a path that does not exist',
    mutate: (d) => {
      d.orderRules[0].conditions = {
        all: [{ fact: 'order', path: '$.categry', operator: 'equal', value: 'cake' }],
      }
    },
    pointer: '/orderRules/0/conditions/all/0/path',
    rule: 'unknown-path',
    says: /did you mean "category"/,
  },
  {
    what: 'a bad priority',
    mutate: (d) => {
      d.orderRules[0].priority = 0
    },
    pointer: '/orderRules/0/priority',
    rule: 'priority',
    says: /positive integer/,
  },
  {
    what: 'a negative tip (wrong event params)',
    mutate: (d) => {
      d.orderRules[1].event.params = { amount_fen: -5 }
    },
    pointer: '/orderRules/1/event/params/amount_fen',
    rule: 'event-params',
    says: />= 1/,
  },
  {
    what: 'an event of the other phase',
    mutate: (d) => {
      d.candidateRules[0].event = { type: 'add-tip', params: { amount_fen: 100 } }
    },
    pointer: '/candidateRules/0/event/type',
    rule: 'event-phase',
    says: /belongs to order rules/,
  },
]

test.group('Rulesets: invalid documents', (group) => {
  let token: string
  let id: number
  group.setup(async () => {
    const { merchant } = await createTenant()
    const admin = await createUser('admin')
    token = admin.token
    const actor = actorOf(admin.user)
    const { ruleset } = await createOverride(
      { merchant_id: merchant.id, name: 'Validation', document: defaults() },
      actor
    )
    await publishDraft(ruleset, null, actor)
    id = ruleset.id
  })

  for (const invalid of INVALID) {
    test(`${invalid.what} is rejected with a pointed error`, async ({ client, assert }) => {
      const document = defaults()
      invalid.mutate(document)

      const response = await client
        .post(`${RULESETS}/${id}/validate`)
        .bearerToken(token)
        .json(document)
      response.assertStatus(422)
      const [error] = response.body().errors
      assert.equal(error.pointer, invalid.pointer)
      assert.equal(error.rule, invalid.rule)
      assert.match(error.message, invalid.says)
      assert.equal(response.body().title, 'Invalid ruleset')
    })
  }

  test('malformed JSON text is a json error; nothing is saved', async ({ client, assert }) => {
    const before = await client.get(`${RULESETS}/${id}`).bearerToken(token)
    const text = '{ "name": "half", "orderRules": [ '

    const validated = await rawRequest('POST', `${RULESETS}/${id}/validate`, {
      body: text,
      headers: { 'authorization': `Bearer ${token}`, 'content-type': 'text/plain' },
    })
    assert.equal(validated.status, 422)
    assert.deepInclude(validated.json.errors[0], { pointer: '', rule: 'json' })
    assert.match(validated.json.errors[0].message, /not valid JSON/)

    const saved = await rawRequest('PUT', `${RULESETS}/${id}/draft`, {
      body: text,
      headers: { 'authorization': `Bearer ${token}`, 'content-type': 'text/plain' },
    })
    assert.equal(saved.status, 422)
    assert.equal(saved.json.errors[0].rule, 'json')

    // As application/json the body parser refuses it first: a 400 with the same rule.
    const asJson = await rawRequest('PUT', `${RULESETS}/${id}/draft`, {
      body: text,
      headers: { 'authorization': `Bearer ${token}`, 'content-type': 'application/json' },
    })
    assert.equal(asJson.status, 400)
    assert.equal(asJson.json.errors[0].rule, 'json')

    const after = await client.get(`${RULESETS}/${id}`).bearerToken(token)
    assert.deepEqual(after.body().data.draft, before.body().data.draft)
  })

  test('the editor’s text is accepted as text/plain and saved as a document', async ({
    client,
    assert,
  }) => {
    const document = defaults()
    document.description = 'typed in the JSON editor'
    const saved = await rawRequest('PUT', `${RULESETS}/${id}/draft`, {
      body: JSON.stringify(document, null, 2),
      headers: { 'authorization': `Bearer ${token}`, 'content-type': 'text/plain; charset=utf-8' },
    })
    assert.equal(saved.status, 200)
    assert.isTrue(saved.json.data.draft.valid)
    const shown = await client.get(`${RULESETS}/${id}`).bearerToken(token)
    assert.equal(shown.body().data.draft.document.description, 'typed in the JSON editor')
  })

  test('a draft must be a JSON object; an empty body is refused', async ({ client, assert }) => {
    const list = await client.put(`${RULESETS}/${id}/draft`).bearerToken(token).json([1, 2])
    list.assertStatus(422)
    assert.deepInclude(list.body().errors[0], { pointer: '', rule: 'schema' })

    const empty = await client.put(`${RULESETS}/${id}/draft`).bearerToken(token)
    empty.assertStatus(422)
    assert.equal(empty.body().errors[0].rule, 'required')

    const form = await client.put(`${RULESETS}/${id}/draft`).bearerToken(token).form({ a: '1' })
    form.assertStatus(415)
  })

  test('a valid document in the body validates and shows its diff from the active version', async ({
    client,
    assert,
  }) => {
    const document = defaults()
    document.orderRules = document.orderRules.filter((rule) => rule.name !== 'vip-speed-first')
    const response = await client
      .post(`${RULESETS}/${id}/validate`)
      .bearerToken(token)
      .json(document)
    response.assertStatus(200)
    assert.equal(response.body().data.source, 'body')
    assert.deepEqual(response.body().data.rules, { order: 8, candidate: 6 })
    assert.deepEqual(response.body().data.diff_from_active.removed, [
      { phase: 'order', rule: 'vip-speed-first' },
    ])
  })
})
