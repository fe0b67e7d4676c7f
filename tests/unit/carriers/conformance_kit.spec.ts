import { test } from '@japa/runner'
import { cp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { runConformance, type ConformanceReport } from '#sdk/conformance'
import { definePlugin } from '#sdk/define_plugin'
import { RejectedError } from '#sdk/errors'
import type { CarrierMethods, PluginDefinition } from '#sdk/contract'
import ownFleet from '../../../plugins/own_fleet/src/index.js'
import { OWN_FLEET_DIR, scratchDir } from '#tests/unit/carriers/support/plugin_fixtures'

/** own_fleet with some methods replaced, to prove the kit notices each kind of defect. */
function variant(
  change: (methods: CarrierMethods) => Partial<CarrierMethods>,
  statusMap = ownFleet.statusMap
): PluginDefinition<any> {
  return definePlugin({
    statusMap,
    create: (ctx) => {
      const methods = ownFleet.create(ctx)
      return { ...methods, ...change(methods) }
    },
  })
}

function failed(report: ConformanceReport): Record<string, string> {
  return Object.fromEntries(
    report.checks.filter((check) => !check.ok).map((check) => [check.name, check.message!])
  )
}

test.group('Conformance kit', () => {
  test('the reference plugin passes every check', async ({ assert }) => {
    const report = await runConformance({ dir: OWN_FLEET_DIR, plugin: ownFleet })
    assert.isTrue(report.ok, JSON.stringify(failed(report)))
    assert.lengthOf(report.checks, 6 + 9 * 3)
  })

  test('a request built differently is reported with the differing field', async ({ assert }) => {
    const plugin = variant((methods) => ({
      quote: (order) => methods.quote!({ ...order, tip_fen: order.tip_fen + 100 }),
    }))
    const problems = failed(await runConformance({ dir: OWN_FLEET_DIR, plugin }))
    assert.match(
      problems['quote: request built as expected'],
      /request #1 (header x-fleet-signature|body) is/
    )
    assert.notProperty(problems, 'create: request built as expected')
  })

  test('an error mapped to the wrong type is reported', async ({ assert }) => {
    const plugin = variant((methods) => ({
      quote: async (order) => {
        try {
          return await methods.quote!(order)
        } catch (error) {
          throw new RejectedError((error as Error).message)
        }
      },
    }))
    const problems = failed(await runConformance({ dir: OWN_FLEET_DIR, plugin }))
    assert.match(problems['quote: error parsed'], /threw RejectedError .* expected CapacityError/)
  })

  test('a wrong parse of a success is reported with both values', async ({ assert }) => {
    const plugin = variant((methods) => ({
      preCancel: async (ref) => {
        const { feeFen } = await methods.preCancel!(ref)
        return { feeFen: feeFen * 100 }
      },
    }))
    const problems = failed(await runConformance({ dir: OWN_FLEET_DIR, plugin }))
    assert.equal(
      problems['preCancel: success parsed'],
      'result is {"feeFen":20000}, expected {"feeFen":200}'
    )
  })

  test('a status map missing a documented code, or unable to reach a lifecycle status, fails', async ({
    assert,
  }) => {
    const { returned, failed: failedCode, ...partial } = ownFleet.statusMap
    assert.equal(returned, 'failed')
    assert.equal(failedCode, 'failed')
    const problems = failed(
      await runConformance({ dir: OWN_FLEET_DIR, plugin: variant(() => ({}), partial) })
    )
    assert.equal(
      problems['status map is total (every carrier code maps)'],
      'carrier code "returned" has no unified status; carrier code "failed" has no unified status'
    )
    assert.equal(
      problems['every status the carrier emits is reachable'],
      'no carrier code maps to "failed"'
    )
  })

  test('missing fixtures and undeclared methods are reported', async ({ assert, cleanup }) => {
    const scratch = await scratchDir(cleanup)
    const dir = join(scratch, 'own_fleet')
    await cp(OWN_FLEET_DIR, dir, {
      recursive: true,
      filter: (source) => !source.includes('/dist') && !source.includes('/build'),
    })
    await rm(join(dir, 'fixtures', 'tip'), { recursive: true })
    const withoutTip = variant(() => ({ addTip: undefined }))
    const problems = failed(await runConformance({ dir, plugin: withoutTip }))
    assert.equal(problems['tip: fixtures/tip/request.json'], 'missing')
    assert.equal(
      problems['declared capabilities match the methods'],
      'capability "tip" is declared but addTip() is missing'
    )
  })
})
