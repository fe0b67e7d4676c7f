import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  protected tableName = 'audit_logs'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id')
      // user | api_key | system
      table.string('actor_type', 16).notNullable()
      table.integer('actor_id').nullable()
      table.string('actor_label', 254).nullable()
      table.integer('merchant_id').unsigned().nullable()
      table.string('action', 64).notNullable()
      table.string('subject_type', 32).nullable()
      table.string('subject_id', 64).nullable()
      // JSON: what changed (secrets are never written here).
      table.text('changes').nullable()
      table.string('ip', 64).nullable()
      table.string('request_id', 64).nullable()
      table.timestamp('created_at').notNullable()
      table.index(['merchant_id', 'id'])
      table.index(['subject_type', 'subject_id'])
      table.index(['created_at'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
