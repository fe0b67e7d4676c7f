import { assert } from '@japa/assert'
import { apiClient } from '@japa/api-client'
import app from '@adonisjs/core/services/app'
import type { Config } from '@japa/runner/types'
import { pluginAdonisJS } from '@japa/plugin-adonisjs'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'

export const plugins: Config['plugins'] = [assert(), apiClient(), pluginAdonisJS(app)]

/**
 * Every run starts from an empty schema on the configured database (SQLite or
 * MySQL), migrated with the real migrations. Tests then create their own merchants,
 * so they never depend on each other's rows.
 */
async function freshDatabase() {
  await db.connection().dropAllTables()
  await testUtils.db().migrate()
}

export const runnerHooks: Required<Pick<Config, 'setup' | 'teardown'>> = {
  setup: [freshDatabase],
  teardown: [],
}

export const configureSuite: Config['configureSuite'] = (suite) => {
  if (['functional', 'browser', 'e2e'].includes(suite.name)) {
    return suite.setup(() => testUtils.httpServer().start())
  }
}
