import { BaseSchema } from '@adonisjs/lucid/schema'

/*
 * Dispatch state. One order has many attempts (one per carrier tried), so a
 * reassignment keeps the history of every carrier, quote and outcome. The unique
 * (order_id, attempt_no) index is the guard that no two workers can send the
 * same attempt; the lease columns on orders keep one worker per order at a time.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('orders', (table) => {
      table.string('lease_owner', 64).nullable()
      table.timestamp('lease_until').nullable()
      table.integer('tip_fen').notNullable().defaultTo(0)
      // An operator's re-dispatch starts a new round in which every carrier may be tried again.
      table.integer('dispatch_round').notNullable().defaultTo(1)
      table.integer('fee_fen').nullable()
      table.integer('carrier_account_id').unsigned().nullable()
      table.string('failure_reason', 255).nullable()
      table.timestamp('dispatched_at').nullable()
      // Millisecond clocks for batch throughput (timestamps above keep seconds only).
      table.bigInteger('received_at_ms').nullable()
      table.bigInteger('dispatched_at_ms').nullable()
      table.timestamp('accepted_at').nullable()
      table.timestamp('delivered_at').nullable()
      table.index(['status', 'lease_until'])
    })

    this.schema.createTable('dispatch_attempts', (table) => {
      table.increments('id')
      table
        .integer('order_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('orders')
        .onDelete('CASCADE')
      table.integer('attempt_no').notNullable()
      table.integer('round').notNullable().defaultTo(1)
      table.integer('carrier_account_id').unsigned().notNullable()
      table.string('plugin_id', 64).notNullable()
      table.string('carrier_order_id', 128).nullable()
      // creating | awaiting_accept | accepted | rejected | timed_out | failed | cancelled | completed
      table.string('state', 24).notNullable()
      table.integer('fee_fen').notNullable()
      table.integer('tip_fen').notNullable().defaultTo(0)
      table.integer('pickup_eta_s').nullable()
      table.integer('dropoff_eta_s').nullable()
      table.string('quote_token', 255).nullable()
      table.timestamp('quote_expires_at').nullable()
      table.integer('accept_timeout_s').notNullable()
      table.timestamp('accept_deadline_at').nullable()
      table.string('outcome_reason', 255).nullable()
      table.integer('cancel_fee_fen').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.timestamp('accepted_at').nullable()
      table.timestamp('ended_at').nullable()
      table.unique(['order_id', 'attempt_no'])
      table.index(['carrier_account_id', 'carrier_order_id'])
      table.index(['state', 'accept_deadline_at'])
    })

    this.schema.createTable('order_events', (table) => {
      table.increments('id')
      table
        .integer('order_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('orders')
        .onDelete('CASCADE')
      // status | attempt | carrier_event | operator | note
      table.string('kind', 24).notNullable()
      table.string('from_status', 24).nullable()
      table.string('to_status', 24).nullable()
      table.integer('attempt_no').nullable()
      table.string('source', 64).notNullable()
      table.text('detail').nullable()
      table.timestamp('created_at').notNullable()
      table.index(['order_id', 'id'])
    })
  }

  async down() {
    this.schema.dropTable('order_events')
    this.schema.dropTable('dispatch_attempts')
    this.schema.alterTable('orders', (table) => {
      table.dropIndex(['status', 'lease_until'])
      table.dropColumns(
        'lease_owner',
        'lease_until',
        'tip_fen',
        'dispatch_round',
        'fee_fen',
        'carrier_account_id',
        'failure_reason',
        'dispatched_at',
        'received_at_ms',
        'dispatched_at_ms',
        'accepted_at',
        'delivered_at'
      )
    })
  }
}
