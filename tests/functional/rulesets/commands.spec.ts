import { test } from '@japa/runner'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ace from '@adonisjs/core/services/ace'
import RulesValidate from '#commands/rules_validate'
import RulesBacktest from '#commands/rules_backtest'
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
  defaults,
  seedDecisionHistory,
  sfFriendly,
} from '#tests/functional/rulesets/helpers'

type Logged = { ui: { logger: { getLogs(): { message: string }[] } } }

const messages = (command: Logged) => command.ui.logger.getLogs().map((log) => log.message)

/** Commands of one test share the raw-mode logger: the latest JSON line is this command's. */
function jsonOutput(command: Logged) {
  return JSON.parse(messages(command).findLast((line) => line.trim().startsWith('{'))!)
}

test.group('Rules commands', (group) => {
  let dir: string
  group.setup(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rules-commands-'))
    return () => rm(dir, { recursive: true, force: true })
  })
  group.each.setup(() => {
    ace.ui.switchMode('raw')
    return () => ace.ui.switchMode('normal')
  })

  test('rules:validate accepts the shipped defaults', async ({ assert }) => {
    const command = await ace.create(RulesValidate, ['rules/default.json'])
    await command.exec()
    command.assertSucceeded()
    command.assertLogMatches(/is valid: 9 order rules, 6 candidate rules/)
    assert.equal(command.exitCode, 0)
  })

  test('rules:validate prints pointed errors and exits with 1', async ({ assert }) => {
    const broken = defaults() as any
    broken.orderRules[0].conditions = {
      all: [{ fact: 'ordr', path: '$.tags', operator: 'contains', value: 'cold_chain' }],
    }
    broken.candidateRules[0].event = { type: 'add-tip', params: { amount_fen: 100 } }
    const file = join(dir, 'broken.json')
    await writeFile(file, JSON.stringify(broken))

    const command = await ace.create(RulesValidate, [file])
    await command.exec()
    command.assertFailed()
    assert.equal(command.exitCode, 1)
    command.assertLogMatches(/is invalid: 2 problems/)
    const lines = messages(command)
    assert.isTrue(
      lines.some(
        (line) =>
          line.includes('/orderRules/0/conditions/all/0/fact') && line.includes('[unknown-fact]')
      )
    )
    assert.isTrue(
      lines.some(
        (line) => line.includes('/candidateRules/0/event/type') && line.includes('[event-phase]')
      )
    )

    const asJson = await ace.create(RulesValidate, [file, '--json'])
    await asJson.exec()
    asJson.assertFailed()
    assert.equal(jsonOutput(asJson).errors[0].pointer, '/orderRules/0/conditions/all/0/fact')
  })

  test('rules:validate reports malformed JSON and a missing file', async () => {
    const file = join(dir, 'malformed.json')
    await writeFile(file, '{ "name": "half", ')
    const malformed = await ace.create(RulesValidate, [file])
    await malformed.exec()
    malformed.assertFailed()
    malformed.assertLogMatches(/\(document\)\s+\[json\]\s+not valid JSON/)

    const missing = await ace.create(RulesValidate, [join(dir, 'nope.json')])
    await missing.exec()
    missing.assertFailed()
    missing.assertLogMatches(/Cannot read/)
  })

  test('rules:backtest prints progress and a summary that matches the API', async ({
    client,
    assert,
  }) => {
    const tenant = await createTenant()
    const admin = await createUser('admin')
    const actor = actorOf(admin.user)
    const { ruleset } = await createOverride(
      { merchant_id: tenant.merchant.id, name: 'CLI', document: sfFriendly() },
      actor
    )
    // v1 is the defaults (what the history was decided with); the draft is the proposal.
    await saveDraft(ruleset, defaults() as any, actor)
    await publishDraft(ruleset, null, actor)
    await saveDraft(ruleset, sfFriendly() as any, actor)
    const active = await activeRulesetFor(tenant.merchant.id)
    await seedDecisionHistory({
      merchant: tenant.merchant,
      storeId: tenant.stores[0].id,
      compiled: active.compiled,
      versionId: active.versionId,
      count: 30,
      seed: 21,
      start: '2025-04-02T09:00:00',
    })
    const period = ['--from', '2025-04-02', '--to', '2025-04-02']

    const table = await ace.create(RulesBacktest, ['--ruleset', String(ruleset.id), ...period])
    await table.exec()
    table.assertSucceeded()
    const lines = messages(table)
    assert.isTrue(
      lines.some((line) => /\[#{30}\] 100% 30\/30 decisions/.test(line)),
      lines.join('\n')
    )
    table.assertLogMatches(/merchant:\d+@draft vs carriers actually chosen: 30 decisions/)
    assert.isTrue(lines.some((line) => line.includes('cost (fee + tip, fen)')))
    assert.isTrue(lines.some((line) => line.includes('share before')))

    const json = await ace.create(RulesBacktest, [
      '--ruleset',
      String(ruleset.id),
      ...period,
      '--json',
      '--max-changes',
      '50',
    ])
    await json.exec()
    json.assertSucceeded()
    const fromCli = jsonOutput(json)

    const api = await client
      .post(`${RULESETS}/${ruleset.id}/backtest`)
      .bearerToken(admin.token)
      .json({ from: '2025-04-02', to: '2025-04-02', max_changes: 50 })
    const fromApi = api.body().data
    assert.equal(fromCli.records, 30)
    assert.isAbove(fromCli.changed, 0)
    for (const key of ['records', 'changed', 'carrier_share', 'cost', 'eta', 'changes']) {
      assert.deepEqual(fromCli[key], fromApi[key], key)
    }

    // A file gives the same answer as the same document in the draft.
    const file = join(dir, 'proposal.json')
    await writeFile(file, JSON.stringify(sfFriendly()))
    const fromFile = await ace.create(RulesBacktest, [
      '--ruleset',
      String(ruleset.id),
      '--file',
      file,
      ...period,
      '--json',
    ])
    await fromFile.exec()
    fromFile.assertSucceeded()
    const fileResult = jsonOutput(fromFile)
    assert.equal(fileResult.version, 'proposal.json')
    assert.equal(fileResult.changed, fromCli.changed)

    // Against version 1 replayed: what the records say was decided by v1 anyway.
    const baseline = await ace.create(RulesBacktest, [
      '--ruleset',
      String(ruleset.id),
      ...period,
      '--baseline',
      '1',
      '--json',
    ])
    await baseline.exec()
    baseline.assertSucceeded()
    assert.equal(jsonOutput(baseline).changed, fromCli.changed)
    assert.deepInclude(jsonOutput(baseline).baseline, { kind: 'version', version: 1 })
  })

  test('rules:backtest refuses bad flags with the flag’s name', async () => {
    const badDate = await ace.create(RulesBacktest, ['--from', 'soon', '--to', '2025-04-02'])
    await badDate.exec()
    badDate.assertFailed()
    badDate.assertLogMatches(/--from: "soon" is not a date/)

    const both = await ace.create(RulesBacktest, [
      '--file',
      'rules/default.json',
      '--version',
      '2',
      '--from',
      '2025-04-01',
      '--to',
      '2025-04-02',
    ])
    await both.exec()
    both.assertFailed()
    both.assertLogMatches(/alternatives/)

    const missingVersion = await ace.create(RulesBacktest, [
      '--version',
      '99',
      '--from',
      '2025-04-01',
      '--to',
      '2025-04-02',
    ])
    await missingVersion.exec()
    missingVersion.assertFailed()
    missingVersion.assertLogMatches(/--version: version 99 of this ruleset does not exist/)
  })
})
