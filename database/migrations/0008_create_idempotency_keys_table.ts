import { BaseSchema } from '@adonisjs/lucid/schema'

/*
 * Stripe-style idempotency: the first request with a key stores its response;
 * a retry with the same key and body gets it replayed.
 */
export default class extends BaseSchema {
  protected tableName = 'idempotency_keys'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      // Who owns the key: "merchant:12" or "user:3". Keys never collide across tenants.
      table.string('scope', 64).notNullable()
      table.string('key', 255).notNullable()
      table.string('method', 8).notNullable()
      table.string('path', 255).notNullable()
      table.string('request_hash', 64).notNullable()
      // in_flight | completed
      table.string('state', 16).notNullable()
      table.integer('response_status').nullable()
      table.text('response_body', 'longtext').nullable()
      table.timestamp('locked_until').notNullable()
      table.timestamp('expires_at').notNullable()
      table.timestamp('created_at').notNullable()
      table.unique(['scope', 'key'])
      table.index(['expires_at'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
