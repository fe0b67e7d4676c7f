import { BaseSchema } from '@adonisjs/lucid/schema'

/*
 * Dispatch rulesets: one global ruleset (scope_key "global") and at most one
 * override per merchant (scope_key "merchant:<id>"). The unique scope key is what
 * lets two nodes race to create the global ruleset safely: one insert wins.
 *
 * The draft is the admin's work in progress (any JSON object, even one that does
 * not validate yet); only published versions (ruleset_versions) ever dispatch.
 * active_version_id has no foreign key: versions reference rulesets, so a
 * constraint here would be circular; the ruleset service only ever sets it to one
 * of the ruleset's own versions.
 */
export default class extends BaseSchema {
  protected tableName = 'rulesets'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table.string('scope_key', 32).notNullable().unique()
      table
        .integer('merchant_id')
        .unsigned()
        .nullable()
        .references('id')
        .inTable('merchants')
        .onDelete('CASCADE')
      table.string('name', 120).notNullable()
      // JSON text; longtext on MySQL because large rulesets outgrow TEXT's 64 KB.
      table.text('draft_document', 'longtext').notNullable()
      table
        .integer('draft_updated_by')
        .unsigned()
        .nullable()
        .references('id')
        .inTable('users')
        .onDelete('SET NULL')
      table.timestamp('draft_updated_at').nullable()
      table.integer('active_version_id').unsigned().nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.index(['merchant_id'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
