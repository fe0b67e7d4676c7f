/**
 * Reuses better-sqlite3 prepared statements. Knex prepares every statement anew,
 * which profiles of the embedded hub showed at ~14 % of its CPU: the same few dozen
 * statements (status moves, attempt reads, event inserts) run thousands of times.
 * A statement runs synchronously to completion (knex uses `all`/`run`, never an
 * iterator), so one prepared object can serve every caller; SQLite re-prepares it by
 * itself after a schema change. One-off statements (long multi-row inserts, large
 * IN lists) are not kept.
 */
const MAX_STATEMENTS = 500
const MAX_SQL_LENGTH = 4096

interface PreparingConnection {
  prepare(sql: string): unknown
}

export function cachePreparedStatements(connection: PreparingConnection) {
  const prepare = connection.prepare.bind(connection)
  const cache = new Map<string, unknown>()
  connection.prepare = (sql: string) => {
    if (sql.length > MAX_SQL_LENGTH) return prepare(sql)
    let statement = cache.get(sql)
    if (statement) {
      // Most recently used last, so the first entry is the one to evict.
      cache.delete(sql)
    } else {
      statement = prepare(sql)
      if (cache.size >= MAX_STATEMENTS) cache.delete(cache.keys().next().value!)
    }
    cache.set(sql, statement)
    return statement
  }
}
