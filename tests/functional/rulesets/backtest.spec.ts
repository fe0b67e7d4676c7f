import { test } from '@japa/runner'
import { setTimeout as sleep } from 'node:timers/promises'
import DecisionRecord from '#models/decision_record'
import Ruleset from '#models/ruleset'
import type { CompiledRuleset } from '#dispatch/rules/compiler'
import { compileRuleset } from '#dispatch/rules/compiler'
import { decide } from '#dispatch/decision/decide'
import { snapshotFacts } from '#dispatch/decision/facts_snapshot'
import { activeRulesetFor } from '#services/rulesets/active_ruleset'
import {
  actorOf,
  createOverride,
  publishDraft,
  saveDraft,
} from '#services/rulesets/ruleset_service'
import { createTenant, createUser } from '#tests/helpers/fixtures'
import {
  RULESETS,
  countRows,
  defaults,
  seedDecisionHistory,
  sfFriendly,
  type SeededDecision,
} from '#tests/functional/rulesets/helpers'

/** Decisions 08:00-17:50 on 1 March 2025 (China time), every 10 minutes. */
const PERIOD = { from: '2025-03-01', to: '2025-03-01' }

interface Expected {
  changed: number
  changedOrderIds: number[]
  winsBefore: Record<string, number>
  winsAfter: Record<string, number>
  costDelta: number
  etaDelta: number
  bothChose: number
}

/**
 * What a backtest must report, worked out here by replaying the same cases with
 * `decide`: the proposal on the masked snapshot (what the records hold) against
 * the winners that were recorded, or against a baseline replayed the same way.
 */
function replay(
  seeded: SeededDecision[],
  proposal: CompiledRuleset,
  recordedWith: CompiledRuleset,
  baseline?: CompiledRuleset
): Expected {
  const expected: Expected = {
    changed: 0,
    changedOrderIds: [],
    winsBefore: {},
    winsAfter: {},
    costDelta: 0,
    etaDelta: 0,
    bothChose: 0,
  }
  for (const { order, dispatchCase } of seeded) {
    const snapshot = snapshotFacts(dispatchCase.facts, dispatchCase.quotes)
    const before = baseline
      ? decide(baseline, snapshot.facts, snapshot.quotes)
      : decide(recordedWith, dispatchCase.facts, dispatchCase.quotes)
    const after = decide(proposal, snapshot.facts, snapshot.quotes)
    const quoteOf = (winner: { carrier: string; accountId: string } | null) =>
      winner &&
      snapshot.quotes.find(
        (q) => q.quote.carrier === winner.carrier && q.quote.account_id === winner.accountId
      )!.quote
    const b = quoteOf(before.winner)
    const a = quoteOf(after.winner)
    if (b) expected.winsBefore[b.carrier] = (expected.winsBefore[b.carrier] ?? 0) + 1
    if (a) expected.winsAfter[a.carrier] = (expected.winsAfter[a.carrier] ?? 0) + 1
    if (a && b) {
      expected.bothChose++
      expected.costDelta += a.fee_fen + after.tipFen - (b.fee_fen + before.tipFen)
      expected.etaDelta += a.pickup_eta_s + a.dropoff_eta_s - (b.pickup_eta_s + b.dropoff_eta_s)
    }
    if (b?.carrier !== a?.carrier || b?.account_id !== a?.account_id) {
      expected.changed++
      expected.changedOrderIds.push(order.id)
    }
  }
  return expected
}

function shares(wins: Record<string, number>, total: number) {
  return Object.fromEntries(
    Object.keys(wins)
      .sort()
      .map((carrier) => [
        carrier,
        { wins: wins[carrier], share: Math.round((wins[carrier] / total) * 10_000) / 10_000 },
      ])
  )
}

test.group('Rulesets: backtests', (group) => {
  let token: string
  let operatorToken: string
  let merchantId: number
  let id: number
  let seeded: SeededDecision[]
  let v1: CompiledRuleset
  const proposal = compileRuleset(sfFriendly(), 'proposal')

  group.setup(async () => {
    const tenant = await createTenant()
    const admin = await createUser('admin')
    token = admin.token
    const operator = await createUser('operator')
    operatorToken = operator.token
    merchantId = tenant.merchant.id
    const actor = actorOf(admin.user)
    const { ruleset } = await createOverride(
      { merchant_id: merchantId, name: 'Backtests', document: defaults() },
      actor
    )
    id = ruleset.id
    await publishDraft(ruleset, 'defaults', actor)
    const active = await activeRulesetFor(merchantId)
    v1 = active.compiled

    const history = {
      merchant: tenant.merchant,
      storeId: tenant.stores[0].id,
      compiled: active.compiled,
      versionId: active.versionId,
    }
    seeded = await seedDecisionHistory({
      ...history,
      count: 60,
      seed: 7,
      start: '2025-03-01T08:00:00',
    })
    // Outside the period: must not be replayed.
    await seedDecisionHistory({ ...history, count: 5, seed: 8, start: '2025-02-20T10:00:00' })
    // Another merchant on the same day: not governed by this override.
    const other = await createTenant()
    const global = await activeRulesetFor(other.merchant.id)
    await seedDecisionHistory({
      merchant: other.merchant,
      storeId: other.stores[0].id,
      compiled: global.compiled,
      versionId: global.versionId,
      count: 3,
      seed: 9,
      start: '2025-03-01T09:00:00',
    })

    await saveDraft(await Ruleset.findOrFail(id), sfFriendly() as any, actor)
  })

  test('replays the draft over the period: exactly what decide yields', async ({
    client,
    assert,
  }) => {
    const response = await client
      .post(`${RULESETS}/${id}/backtest`)
      .bearerToken(operatorToken)
      .json({ version: 'draft', ...PERIOD, max_changes: 500 })
    response.assertStatus(200)
    const result = response.body().data
    const expected = replay(seeded, proposal, v1)

    assert.equal(result.records, 60)
    assert.equal(result.compared, 60)
    assert.equal(result.errors, 0)
    assert.deepEqual(result.baseline, { kind: 'recorded' })
    assert.equal(result.merchant_id, merchantId)
    assert.isAbove(expected.changed, 5, 'the proposal should change a fair number of winners')
    assert.isBelow(expected.changed, 60)
    assert.equal(result.changed, expected.changed)
    assert.equal(result.unchanged, 60 - expected.changed)
    assert.deepEqual(result.carrier_share.before, shares(expected.winsBefore, 60))
    assert.deepEqual(result.carrier_share.after, shares(expected.winsAfter, 60))
    assert.isAbove(result.carrier_share.after.sf.wins, result.carrier_share.before.sf?.wins ?? 0)
    assert.equal(result.cost.orders, expected.bothChose)
    assert.equal(result.cost.delta_fen, expected.costDelta)
    assert.equal(result.cost.total_fen_after - result.cost.total_fen_before, expected.costDelta)
    assert.equal(
      result.cost.average_delta_fen,
      Math.round((expected.costDelta / expected.bothChose) * 100) / 100
    )
    assert.equal(result.eta.delta_s, expected.etaDelta)
    assert.deepEqual(
      result.changes.map((change: { order_id: number }) => change.order_id),
      expected.changedOrderIds
    )
    const first = result.changes[0]
    assert.notEqual(first.before?.carrier, first.after?.carrier)
  })

  test('against a baseline version, and with a short list of changes', async ({
    client,
    assert,
  }) => {
    const response = await client
      .post(`${RULESETS}/${id}/backtest`)
      .bearerToken(token)
      .json({ ...PERIOD, baseline: 1, max_changes: 3 })
    response.assertStatus(200)
    const result = response.body().data
    const expected = replay(seeded, proposal, v1, v1)
    assert.deepInclude(result.baseline, { kind: 'version', version: 1 })
    assert.equal(result.version, 'draft')
    assert.equal(result.changed, expected.changed)
    assert.deepEqual(result.carrier_share.before, shares(expected.winsBefore, 60))
    assert.lengthOf(result.changes, 3)
    assert.deepEqual(
      result.changes.map((change: { order_id: number }) => change.order_id),
      expected.changedOrderIds.slice(0, 3)
    )

    // The published version against itself changes nothing.
    const same = await client
      .post(`${RULESETS}/${id}/backtest`)
      .bearerToken(token)
      .json({ ...PERIOD, version: 1, baseline: 1 })
    assert.equal(same.body().data.changed, 0)
    assert.equal(same.body().data.cost.delta_fen, 0)
  })

  test('the period bounds: date-times are exclusive, a date includes its day', async ({
    client,
    assert,
  }) => {
    const morning = await client
      .post(`${RULESETS}/${id}/backtest`)
      .bearerToken(token)
      .json({ from: '2025-03-01T08:00:00+08:00', to: '2025-03-01T12:00:00+08:00' })
    morning.assertStatus(200)
    // 08:00, 08:10, … 11:50
    assert.equal(morning.body().data.records, 24)

    const earlier = await client
      .post(`${RULESETS}/${id}/backtest`)
      .bearerToken(token)
      .json({ from: '2025-02-20', to: '2025-02-20' })
    assert.equal(earlier.body().data.records, 5)

    const both = await client
      .post(`${RULESETS}/${id}/backtest`)
      .bearerToken(token)
      .json({ from: '2025-02-01', to: '2025-03-31' })
    assert.equal(both.body().data.records, 65)
  })

  test('a global backtest leaves out merchants with their own override', async ({
    client,
    assert,
  }) => {
    await activeRulesetFor(merchantId)
    const global = await Ruleset.findByOrFail('scope_key', 'global')
    const response = await client
      .post(`${RULESETS}/${global.id}/backtest`)
      .bearerToken(token)
      .json({ version: 'active', ...PERIOD })
    response.assertStatus(200)
    const result = response.body().data
    assert.include(result.excluded_merchant_ids, merchantId)
    const expected = await countRows(
      DecisionRecord.query()
        .where('created_at', '>=', '2025-02-28 16:00:00')
        .where('created_at', '<', '2025-03-01 16:00:00')
        .whereNotIn('merchant_id', result.excluded_merchant_ids)
    )
    assert.equal(result.records, expected)
    assert.isAtLeast(result.records, 3)

    const asked = await client
      .post(`${RULESETS}/${global.id}/backtest`)
      .bearerToken(token)
      .json({ version: 'active', ...PERIOD, merchant_id: merchantId })
    assert.equal(asked.body().data.records, 60)
  })

  test('a long run is a job with progress, polled until it is done', async ({ client, assert }) => {
    const started = await client
      .post(`${RULESETS}/${id}/backtest`)
      .bearerToken(operatorToken)
      .json({ ...PERIOD, async: true })
    started.assertStatus(202)
    const jobId = started.body().data.job_id
    assert.equal(started.header('location'), `${RULESETS}/backtests/${jobId}`)
    assert.equal(started.body().data.progress.total, 60)

    let job = started.body().data
    for (let attempt = 0; attempt < 100 && job.status === 'running'; attempt++) {
      await sleep(20)
      const polled = await client.get(`${RULESETS}/backtests/${jobId}`).bearerToken(operatorToken)
      polled.assertStatus(200)
      job = polled.body().data
    }
    assert.equal(job.status, 'succeeded')
    assert.deepEqual(job.progress, { processed: 60, total: 60, percent: 100 })
    assert.equal(job.result.changed, replay(seeded, proposal, v1).changed)
    assert.isNotNull(job.finished_at)

    // Admins see every job; another operator does not; merchant users never.
    const poll = async (viewer: string) =>
      client.get(`${RULESETS}/backtests/${jobId}`).bearerToken(viewer)
    const byAdmin = await poll(token)
    byAdmin.assertStatus(200)
    const stranger = await createUser('operator')
    const byStranger = await poll(stranger.token)
    byStranger.assertStatus(404)
    const merchantUser = await createUser('merchant', merchantId)
    const byMerchant = await poll(merchantUser.token)
    byMerchant.assertStatus(403)
    const unknown = await client
      .get(`${RULESETS}/backtests/00000000-0000-4000-8000-000000000000`)
      .bearerToken(token)
    unknown.assertStatus(404)
  })

  test('bad requests name the field and the rule', async ({ client, assert }) => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ from: '2025-03-02', to: '2025-03-01' }, '/to', 'after'],
      [{ from: 'yesterday', to: '2025-03-01' }, '/from', 'date'],
      [{ to: '2025-03-01' }, '/from', 'required'],
      [{ ...PERIOD, baseline: 9 }, '/baseline', 'exists'],
      [{ ...PERIOD, version: 'newest' }, '/version', 'versionRef'],
      [{ ...PERIOD, max_changes: 1000 }, '/max_changes', 'integer'],
      [{ ...PERIOD, async: 'yes' }, '/async', 'boolean'],
      [{ ...PERIOD, merchant: 3 }, '/merchant', 'additionalProperties'],
    ]
    for (const [body, pointer, rule] of cases) {
      const response = await client.post(`${RULESETS}/${id}/backtest`).bearerToken(token).json(body)
      response.assertStatus(422)
      assert.deepInclude(response.body().errors[0], { pointer, rule }, JSON.stringify(body))
    }
  })
})
