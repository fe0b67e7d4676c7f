import { BaseSchema } from '@adonisjs/lucid/schema'

/*
 * POS API keys. Only a SHA-256 digest of the secret is stored; the visible prefix
 * lets people tell keys apart in the console. Revoked keys stay for the audit trail.
 */
export default class extends BaseSchema {
  protected tableName = 'api_keys'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table
        .integer('merchant_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('merchants')
        .onDelete('CASCADE')
      table.string('name', 120).notNullable()
      table.string('prefix', 24).notNullable()
      table.string('secret_hash', 64).notNullable().unique()
      table
        .integer('created_by_user_id')
        .unsigned()
        .nullable()
        .references('id')
        .inTable('users')
        .onDelete('SET NULL')
      table.timestamp('last_used_at').nullable()
      table.timestamp('revoked_at').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.index(['merchant_id'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
