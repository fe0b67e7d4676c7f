import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig } from '@adonisjs/lucid'
import { prepareSqliteConnection } from '#database/sqlite_connection'

/*
 * SQLite is the embedded default (one process, one store). MySQL or MariaDB is the
 * production database; pick it with DB_CONNECTION=mysql.
 */
const migrations = { naturalSort: true, paths: ['database/migrations'] }

const dbConfig = defineConfig({
  connection: env.get('DB_CONNECTION', 'sqlite'),
  prettyPrintDebugQueries: false,
  connections: {
    sqlite: {
      client: 'better-sqlite3',
      connection: {
        filename: env.get('SQLITE_PATH') ?? app.tmpPath('hub.sqlite3'),
      },
      useNullAsDefault: true,
      pool: {
        // One connection per process: SQLite has one writer anyway, and a second
        // in-process connection only turns waiting into SQLITE_BUSY errors when a
        // read transaction tries to write. Other processes wait on busy_timeout.
        min: 1,
        max: 1,
        // WAL, foreign keys, waiting for other processes, IMMEDIATE transactions,
        // reused statements: see database/sqlite_connection.ts.
        afterCreate: (conn: any, done: (error: Error | null, conn: any) => void) => {
          prepareSqliteConnection(conn)
          done(null, conn)
        },
      },
      migrations,
      schemaGeneration: { enabled: false },
    },
    mysql: {
      client: 'mysql2',
      connection: {
        host: env.get('MYSQL_HOST', '127.0.0.1'),
        port: env.get('MYSQL_PORT', 3306),
        user: env.get('MYSQL_USER', 'root'),
        password: env.get('MYSQL_PASSWORD', ''),
        database: env.get('MYSQL_DB_NAME', 'courier_hub'),
        charset: 'utf8mb4',
        // Timestamps are stored and read as UTC whatever the server's zone is.
        timezone: 'Z',
        dateStrings: false,
      },
      pool: {
        min: 2,
        max: 20,
        // TIMESTAMP columns convert through the session zone: pin it to UTC.
        afterCreate: (conn: any, done: (error: Error | null, conn: any) => void) => {
          conn.query("SET time_zone = '+00:00'", (error: Error | null) => done(error, conn))
        },
      },
      migrations,
      schemaGeneration: { enabled: false },
    },
  },
})

export default dbConfig
