import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'orders'

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
      table
        .integer('store_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('stores')
        .onDelete('CASCADE')
      table
        .integer('batch_id')
        .unsigned()
        .nullable()
        .references('id')
        .inTable('batches')
        .onDelete('SET NULL')
      table.string('channel', 32).notNullable()
      table.string('external_id', 64).notNullable()
      table.string('recipient_name', 64).notNullable()
      table.string('recipient_phone', 32).notNullable()
      table.string('recipient_address', 255).notNullable()
      table.string('recipient_city', 64).notNullable()
      table.double('recipient_lat').notNullable()
      table.double('recipient_lng').notNullable()
      table.string('items_summary', 500).notNullable()
      table.integer('item_count').notNullable()
      table.integer('weight_g').notNullable()
      // Money is integer fen everywhere.
      table.integer('declared_value_fen').notNullable()
      table.string('category', 24).notNullable()
      table.text('tags').notNullable()
      // Both null = deliver as soon as possible.
      table.timestamp('window_start').nullable()
      table.timestamp('window_end').nullable()
      table.string('notes', 500).nullable()
      table.string('status', 24).notNullable()
      table.string('cancel_reason', 255).nullable()
      table.timestamp('cancelled_at').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()

      // A POS may resend an order: the channel's own id identifies it per merchant.
      table.unique(['merchant_id', 'channel', 'external_id'])
      // List queries are always merchant-scoped and paginate by id (newest first).
      table.index(['merchant_id', 'id'])
      table.index(['merchant_id', 'status', 'id'])
      table.index(['merchant_id', 'store_id', 'id'])
      table.index(['merchant_id', 'created_at'])
      table.index(['batch_id'])
      table.index(['store_id'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
