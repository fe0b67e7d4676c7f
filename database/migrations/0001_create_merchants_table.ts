import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'merchants'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table.string('name', 120).notNullable()
      table.string('code', 64).notNullable().unique()
      // Merchant tier feeds the dispatch rules (e.g. VIP merchants get speed-first).
      table.string('tier', 16).notNullable().defaultTo('standard')
      table.string('status', 16).notNullable().defaultTo('active')
      table.string('contact_phone', 32).nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
