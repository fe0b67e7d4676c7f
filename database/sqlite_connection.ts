/**
 * How the hub uses each better-sqlite3 connection (the pool's afterCreate).
 *
 * - WAL lets readers proceed while a writer commits; foreign keys are off by default
 *   in SQLite and the schema relies on them; other processes (a second hub, an ace
 *   command) are waited for up to busy_timeout.
 * - Transactions begin IMMEDIATE: they take the write lock at BEGIN, waiting up to
 *   busy_timeout for it. A plain (deferred) BEGIN starts as a reader; when another
 *   process commits before its first write, that write fails at once with
 *   SQLITE_BUSY_SNAPSHOT and no waiting helps. The hub's transactions all write.
 * - Prepared statements are reused. Knex prepares every statement anew, which
 *   profiles of the embedded hub showed at ~14 % of its CPU: the same few dozen
 *   statements run thousands of times. A statement runs synchronously to completion
 *   (knex uses `all`/`run`, never an iterator), so one prepared object serves every
 *   caller; SQLite re-prepares it by itself after a schema change. One-off statements
 *   (long multi-row inserts, large IN lists) are not kept.
 */
const MAX_STATEMENTS = 500
const MAX_SQL_LENGTH = 4096

interface SqliteConnection {
  pragma(source: string): unknown
  prepare(sql: string): unknown
}

export function prepareSqliteConnection(connection: SqliteConnection) {
  connection.pragma('journal_mode = WAL')
  connection.pragma('synchronous = NORMAL')
  connection.pragma('foreign_keys = ON')
  connection.pragma('busy_timeout = 5000')

  const prepare = connection.prepare.bind(connection)
  const cache = new Map<string, unknown>()
  connection.prepare = (source: string) => {
    const sql = source === 'BEGIN;' ? 'BEGIN IMMEDIATE;' : source
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
