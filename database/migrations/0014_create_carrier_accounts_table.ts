import { BaseSchema } from '@adonisjs/lucid/schema'

/*
 * One set of credentials with one carrier: platform-wide (merchant_id null) or a
 * merchant's own contract, optionally narrowed to a store or a city. Settings the
 * plugin marks x-secret live encrypted in `secrets` (AES-256-GCM with APP_KEY) and
 * never leave the server; the rest is plain JSON in `config`.
 */
export default class extends BaseSchema {
  protected tableName = 'carrier_accounts'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table
        .string('plugin_id', 64)
        .notNullable()
        .references('plugin_id')
        .inTable('installed_plugins')
        .onDelete('RESTRICT')
      table.string('name', 120).notNullable()
      table
        .integer('merchant_id')
        .unsigned()
        .nullable()
        .references('id')
        .inTable('merchants')
        .onDelete('CASCADE')
      table
        .integer('store_id')
        .unsigned()
        .nullable()
        .references('id')
        .inTable('stores')
        .onDelete('CASCADE')
      table.string('city', 64).nullable()
      table.boolean('enabled').notNullable().defaultTo(true)
      // JSON: the non-secret settings, defaults filled in.
      table.text('config').notNullable()
      // Encrypted JSON of the secret settings; null when the schema has none.
      table.text('secrets').nullable()
      // Outcome of the last connection test from the console.
      table.timestamp('last_test_at').nullable()
      table.boolean('last_test_ok').nullable()
      table.integer('last_test_latency_ms').unsigned().nullable()
      table.string('last_test_error', 500).nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      // Accounts are soft-deleted: webhook events and order history point at them.
      table.timestamp('deleted_at').nullable()

      table.index(['plugin_id', 'id'])
      table.index(['merchant_id', 'id'])
      table.index(['store_id'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
