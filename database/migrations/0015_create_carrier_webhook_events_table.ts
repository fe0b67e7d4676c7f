import { BaseSchema } from '@adonisjs/lucid/schema'

/*
 * Carrier callbacks after signature checks, one row per normalized event, with the
 * raw body as received. The unique (account, event_id) index is the de-duplication:
 * carriers resend callbacks and a second copy must not be stored or processed.
 * A consumer marks rows processed_at once it applied them to the order.
 */
export default class extends BaseSchema {
  protected tableName = 'carrier_webhook_events'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table
        .integer('carrier_account_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('carrier_accounts')
        .onDelete('CASCADE')
      table.string('plugin_id', 64).notNullable()
      // 191 characters keep the unique index within MySQL's key size in utf8mb4.
      table.string('event_id', 191).notNullable()
      table.string('carrier_order_id', 128).notNullable()
      table.string('status', 24).notNullable()
      table.string('carrier_status', 64).notNullable()
      table.timestamp('occurred_at').notNullable()
      table.timestamp('received_at').notNullable()
      // JSON: the normalized event (rider, note) as the plugin returned it.
      // mediumtext on MySQL, like raw_body: a normalized event can be as big as its body.
      table.text('event', 'mediumtext').notNullable()
      // Up to 256 KiB: TEXT stops at 64 KiB on MySQL.
      table.text('raw_body', 'mediumtext').notNullable()
      // JSON: request headers minus credentials and cookies.
      table.text('headers').notNullable()
      table.timestamp('processed_at').nullable()

      table.unique(['carrier_account_id', 'event_id'])
      table.index(['processed_at', 'id'])
      table.index(['carrier_order_id'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
