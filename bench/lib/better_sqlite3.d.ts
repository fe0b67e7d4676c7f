/*
 * better-sqlite3 ships no type definitions and @types/better-sqlite3 is not a
 * dependency; this declares the small part the benches use.
 */
declare module 'better-sqlite3' {
  interface RunResult {
    changes: number
    lastInsertRowid: number | bigint
  }

  interface Statement {
    run(...params: unknown[]): RunResult
    all(...params: unknown[]): unknown[]
  }

  interface Database {
    prepare(sql: string): Statement
    exec(sql: string): this
    pragma(source: string): unknown
    close(): this
  }

  interface DatabaseConstructor {
    new (filename: string, options?: { readonly?: boolean; timeout?: number }): Database
  }

  const Database: DatabaseConstructor
  export default Database
}
