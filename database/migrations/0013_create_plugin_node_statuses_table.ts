import { BaseSchema } from '@adonisjs/lucid/schema'

/*
 * What each hub node actually runs, written by the node after every reconcile. The
 * admin API compares it with installed_plugins to show lagging or failing nodes.
 */
export default class extends BaseSchema {
  protected tableName = 'plugin_node_statuses'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table.string('node_id', 128).notNullable()
      table
        .string('plugin_id', 64)
        .notNullable()
        .references('plugin_id')
        .inTable('installed_plugins')
        .onDelete('CASCADE')
      // Null when nothing is loaded (disabled before first start, unloaded, failed).
      table.string('loaded_version', 64).nullable()
      // loading | ready | restarting | disabled | unloaded | failed | offline
      table.string('state', 16).notNullable()
      // The installed_plugins.revision this node last applied without error.
      table.integer('applied_revision').unsigned().notNullable().defaultTo(0)
      table.text('last_error').nullable()
      // JSON: worker counters and the circuit breaker of each account on this node.
      table.text('stats').nullable()
      table.timestamp('last_seen_at').notNullable()

      table.unique(['node_id', 'plugin_id'])
      table.index(['plugin_id'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
