import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'stores'

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
      table.string('code', 64).notNullable()
      table.string('name', 120).notNullable()
      table.string('address', 255).notNullable()
      table.string('city', 64).notNullable()
      // GCJ-02 coordinates, the datum every Chinese carrier speaks.
      table.double('lat').notNullable()
      table.double('lng').notNullable()
      table.string('contact_name', 64).notNullable()
      table.string('contact_phone', 32).notNullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.unique(['merchant_id', 'code'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
