import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'users'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table.string('email', 254).notNullable().unique()
      table.string('full_name', 120).nullable()
      table.string('password', 255).notNullable()
      // admin | operator | merchant | integrator
      table.string('role', 16).notNullable()
      // Merchant users are bound to exactly one merchant; other roles to none.
      table
        .integer('merchant_id')
        .unsigned()
        .nullable()
        .references('id')
        .inTable('merchants')
        .onDelete('CASCADE')
      table.timestamp('last_login_at').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.index(['merchant_id'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
