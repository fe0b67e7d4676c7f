import { BaseSchema } from '@adonisjs/lucid/schema'

/*
 * The cluster's desired state: which version of each plugin should run and whether
 * it is enabled. `revision` grows on every change so nodes (and admins) can tell
 * whether a node has applied the latest one. Uninstalling keeps the row (marked
 * uninstalled_at) so accounts and orders that used the carrier still resolve its name.
 */
export default class extends BaseSchema {
  protected tableName = 'installed_plugins'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table.string('plugin_id', 64).notNullable().unique()
      // The active version; also what an uninstalled plugin last ran.
      table
        .integer('package_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('plugin_packages')
        .onDelete('RESTRICT')
      table.string('version', 64).notNullable()
      // JSON { "zh-CN", "en" }: the display name, kept for history after uninstall.
      table.text('name').notNullable()
      table.boolean('enabled').notNullable().defaultTo(true)
      table.integer('revision').unsigned().notNullable().defaultTo(1)
      table.timestamp('installed_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.timestamp('uninstalled_at').nullable()

      table.index(['package_id'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
