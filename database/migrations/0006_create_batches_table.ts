import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'batches'

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
      // api | csv
      table.string('source', 16).notNullable()
      table.integer('total').notNullable()
      table.integer('accepted').notNullable()
      table.integer('rejected').notNullable()
      table.string('status', 16).notNullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.index(['merchant_id', 'id'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
