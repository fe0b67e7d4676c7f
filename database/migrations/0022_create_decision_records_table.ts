import { BaseSchema } from '@adonisjs/lucid/schema'

/*
 * One row per dispatch decision (an order and its attempt number), written by the
 * dispatch pipeline through recordDecision(). The facts snapshot is masked
 * (snapshotFacts: catalog fields only, coordinates rounded), so backtests can
 * replay history without ever holding recipient names, phones or addresses.
 *
 * ruleset_version_id is null when no stored version decided (e.g. a decision made
 * on a draft); ruleset_version_key keeps the evaluator's own label either way.
 * JSON columns are longtext on MySQL: a decision with many quotes and traces can
 * pass 64 KB.
 */
export default class extends BaseSchema {
  protected tableName = 'decision_records'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      table
        .integer('order_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('orders')
        .onDelete('CASCADE')
      // Matches dispatch_attempts.attempt_no; 1 for the first dispatch of an order.
      table.integer('attempt_no').unsigned().notNullable().defaultTo(1)
      table
        .integer('merchant_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('merchants')
        .onDelete('CASCADE')
      table
        .integer('ruleset_version_id')
        .unsigned()
        .nullable()
        .references('id')
        .inTable('ruleset_versions')
        .onDelete('SET NULL')
      table.string('ruleset_version_key', 80).notNullable()
      table.text('facts_snapshot', 'longtext').notNullable()
      table.text('quotes', 'longtext').notNullable()
      table.text('events_fired', 'longtext').notNullable()
      table.text('candidates', 'longtext').notNullable()
      table.string('winner_carrier', 64).nullable()
      table.string('winner_account_id', 128).nullable()
      table.string('strategy', 24).notNullable()
      table.integer('tip_fen').notNullable().defaultTo(0)
      table.integer('accept_timeout_s').notNullable()
      // Microseconds with one decimal, as the evaluator measures them.
      table.double('evaluation_us').notNullable()
      table.timestamp('created_at').notNullable()
      // Backtests read a period, per merchant or across all of them.
      table.index(['merchant_id', 'created_at'])
      table.index(['created_at'])
      table.index(['order_id', 'attempt_no'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
