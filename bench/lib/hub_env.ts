/*
 * Where a bench's hub lives: which database, and the environment a hub process
 * (server or ace command) needs to use it. Defaults match bin/test's MySQL ones,
 * except the database name: benches drop and recreate their database, so they
 * never touch the one the test suite uses.
 */
import { fileURLToPath } from 'node:url'

export type DbKind = 'mysql' | 'sqlite'

export interface BenchDb {
  kind: DbKind
  mysql: { host: string; port: number; user: string; password: string; database: string }
  /** Relative to the project root, like SQLITE_PATH everywhere else. */
  sqlitePath: string
}

/** The project root; hub processes run from here so relative paths resolve as usual. */
export const HUB_ROOT = fileURLToPath(new URL('../../', import.meta.url))

export function benchDb(kind: DbKind, name = 'courier_hub_bench'): BenchDb {
  return {
    kind,
    mysql: {
      host: process.env.MYSQL_HOST ?? '127.0.0.1',
      port: Number(process.env.MYSQL_PORT ?? 3306),
      user: process.env.MYSQL_USER ?? 'root',
      password: process.env.MYSQL_PASSWORD ?? '',
      database: process.env.BENCH_MYSQL_DB ?? name,
    },
    sqlitePath: process.env.BENCH_SQLITE_PATH ?? `tmp/${name}.sqlite3`,
  }
}

/**
 * A complete environment for a hub process: everything start/env.ts validates is
 * set explicitly, so a developer's .env cannot change what the bench measures.
 */
export function hubEnv(db: BenchDb, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TZ: 'UTC',
    // Production: JSON logs to stdout instead of the pino-pretty worker, as deployed.
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    APP_KEY: process.env.APP_KEY ?? 'bench-app-key-0123456789abcdefghijklmnop',
    DB_CONNECTION: db.kind,
  }
  if (db.kind === 'mysql') {
    Object.assign(env, {
      MYSQL_HOST: db.mysql.host,
      MYSQL_PORT: String(db.mysql.port),
      MYSQL_USER: db.mysql.user,
      MYSQL_PASSWORD: db.mysql.password,
      MYSQL_DB_NAME: db.mysql.database,
    })
  } else {
    env.SQLITE_PATH = db.sqlitePath
  }
  return { ...env, ...extra }
}
