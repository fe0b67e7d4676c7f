import { BaseSchema } from '@adonisjs/lucid/schema'

/*
 * Every uploaded plugin package, kept in the database so any node (including one
 * started later, on an empty disk) can unpack the exact bytes that were checked.
 * Versions are immutable: one row per (plugin_id, version), never updated.
 */
export default class extends BaseSchema {
  protected tableName = 'plugin_packages'

  async up() {
    // Packages may be up to 5 MiB: a plain MySQL BLOB stops at 64 KiB.
    const blob = this.db.dialect.name === 'mysql' ? 'mediumblob' : 'blob'
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table.string('plugin_id', 64).notNullable()
      table.string('version', 64).notNullable()
      // sha256 of the tarball: identifies the release and checks every extraction.
      table.string('sha256', 64).notNullable()
      table.integer('size_bytes').unsigned().notNullable()
      // JSON: the checked manifest.json.
      table.text('manifest', 'mediumtext').notNullable()
      table.specificType('tarball', blob).notNullable()
      // Null when installed from the command line.
      table
        .integer('uploaded_by')
        .unsigned()
        .nullable()
        .references('id')
        .inTable('users')
        .onDelete('SET NULL')
      table.timestamp('created_at').notNullable()

      table.unique(['plugin_id', 'version'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
