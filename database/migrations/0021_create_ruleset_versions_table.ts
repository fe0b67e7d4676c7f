import { BaseSchema } from '@adonisjs/lucid/schema'

/*
 * Published ruleset versions: immutable once written (the model refuses updates).
 * Numbers count 1, 2, 3, … per ruleset; the unique (ruleset_id, version) index
 * makes two concurrent publishes of the same ruleset fail instead of sharing a
 * number. The author's label is copied so history survives a deleted user.
 */
export default class extends BaseSchema {
  protected tableName = 'ruleset_versions'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table
        .integer('ruleset_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('rulesets')
        .onDelete('CASCADE')
      table.integer('version').unsigned().notNullable()
      table.text('document', 'longtext').notNullable()
      // rulesetVersionKey(document): same content, same hash, whatever the formatting.
      table.string('content_hash', 64).notNullable()
      table
        .integer('published_by')
        .unsigned()
        .nullable()
        .references('id')
        .inTable('users')
        .onDelete('SET NULL')
      table.string('published_by_label', 254).notNullable()
      table.timestamp('published_at').notNullable()
      table.string('note', 500).nullable()
      table.unique(['ruleset_id', 'version'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
