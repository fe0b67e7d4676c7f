import { BaseSchema } from '@adonisjs/lucid/schema'

/*
 * What the dispatch rules need to know about an account that its carrier's API
 * does not say: the vehicle it sends (large cakes need a car), whether it may
 * carry medicine, and extra services it offers (cold_chain). Set by admins.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('carrier_accounts', (table) => {
      table.string('vehicle', 8).notNullable().defaultTo('ebike')
      table.boolean('licensed_medicine').notNullable().defaultTo(false)
      table.text('services').nullable()
    })
  }

  async down() {
    this.schema.alterTable('carrier_accounts', (table) => {
      table.dropColumns('vehicle', 'licensed_medicine', 'services')
    })
  }
}
