/*
 * Bench database lifecycle (fresh database, migrations, a seeded tenant) and a
 * raw connection that bypasses the hub, for baselines and checks. MySQL goes
 * through mysql2 and SQLite through better-sqlite3: the drivers the hub uses.
 */
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import mysql from 'mysql2/promise'
import Database from 'better-sqlite3'
import { HUB_ROOT, hubEnv, type BenchDb } from './hub_env.js'

export type SqlValue = string | number | null

/** The few operations benches need, the same for both databases. */
export interface RawDb {
  kind: BenchDb['kind']
  /** Returns the new row id (INSERT) or the affected row count. */
  run(sql: string, params?: SqlValue[]): Promise<{ insertId: number; affected: number }>
  all<T = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<T[]>
  close(): Promise<void>
}

/**
 * Drops and recreates the bench database. The name must end in `_bench` so a
 * mistyped BENCH_MYSQL_DB can never drop a real database.
 */
export async function resetBenchDatabase(db: BenchDb) {
  if (db.kind === 'sqlite') {
    const file = join(HUB_ROOT, db.sqlitePath)
    await Promise.all(['', '-wal', '-shm'].map((suffix) => rm(file + suffix, { force: true })))
    return
  }
  const name = db.mysql.database
  if (!/^[a-z0-9_]+_bench$/i.test(name)) {
    throw new Error(`Refusing to drop MySQL database "${name}": bench databases end in _bench`)
  }
  const conn = await mysql.createConnection({
    host: db.mysql.host,
    port: db.mysql.port,
    user: db.mysql.user,
    password: db.mysql.password,
  })
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${name}\``)
    await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
  } finally {
    await conn.end()
  }
}

/** Runs `node ace migration:run --force` against the bench database. */
export async function migrate(db: BenchDb) {
  await runNode(['ace', 'migration:run', '--force'], hubEnv(db), 120_000)
}

/** Runs a Node script of the project with a deadline; rejects with its output on failure. */
export function runNode(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: HUB_ROOT, env, stdio: 'pipe' })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) resolve()
      else reject(new Error(`node ${args.join(' ')} failed (${signal ?? code}):\n${output}`))
    })
  })
}

export async function openRawDb(db: BenchDb): Promise<RawDb> {
  if (db.kind === 'mysql') {
    // Same session settings as the hub's pool (config/database.ts), so both
    // write identical values.
    const conn = await mysql.createConnection({
      ...db.mysql,
      charset: 'utf8mb4',
      timezone: 'Z',
      dateStrings: false,
    })
    await conn.query("SET time_zone = '+00:00'")
    return {
      kind: 'mysql',
      async run(sql, params = []) {
        // query(), not execute(): client-side formatting over the text protocol,
        // which is what knex does for the hub.
        const [result] = await conn.query<mysql.ResultSetHeader>(sql, params)
        return { insertId: Number(result.insertId ?? 0), affected: result.affectedRows ?? 0 }
      },
      async all<T>(sql: string, params: SqlValue[] = []) {
        const [rows] = await conn.query(sql, params)
        return rows as T[]
      },
      close: () => conn.end(),
    }
  }
  const conn = new Database(join(HUB_ROOT, db.sqlitePath))
  // Same pragmas as the hub's connection (config/database.ts).
  conn.pragma('journal_mode = WAL')
  conn.pragma('synchronous = NORMAL')
  conn.pragma('foreign_keys = ON')
  conn.pragma('busy_timeout = 5000')
  return {
    kind: 'sqlite',
    async run(sql, params = []) {
      const result = conn.prepare(sql).run(...params)
      return { insertId: Number(result.lastInsertRowid), affected: result.changes }
    },
    async all<T>(sql: string, params: SqlValue[] = []) {
      return conn.prepare(sql).all(...params) as T[]
    },
    async close() {
      conn.close()
    },
  }
}

/**
 * One multi-row INSERT, built the way knex builds the hub's `multiInsert`
 * (columns from the first row, one `(?, ...)` group per row).
 */
export function multiInsert(raw: RawDb, table: string, rows: Record<string, SqlValue>[]) {
  const columns = Object.keys(rows[0])
  const group = `(${columns.map(() => '?').join(', ')})`
  const sql = `insert into ${table} (${columns.join(', ')}) values ${rows.map(() => group).join(', ')}`
  const params: SqlValue[] = []
  for (const row of rows) for (const column of columns) params.push(row[column])
  return raw.run(sql, params)
}

export async function transaction<T>(raw: RawDb, work: () => Promise<T>): Promise<T> {
  await raw.run(raw.kind === 'mysql' ? 'START TRANSACTION' : 'BEGIN')
  try {
    const result = await work()
    await raw.run('COMMIT')
    return result
  } catch (error) {
    await raw.run('ROLLBACK')
    throw error
  }
}

export interface Tenant {
  merchantId: number
  storeId: number
  /** The secret for `Authorization: Bearer`. */
  apiKey: string
}

/** `YYYY-MM-DD HH:mm:ss` in UTC, the format the hub writes timestamps in. */
export function sqlTimestamp(date = new Date()) {
  return date.toISOString().slice(0, 19).replace('T', ' ')
}

/**
 * A merchant with one store and an API key, written directly (no app boot). The
 * key is stored the way api_key_service stores it: SHA-256 hex of a `chk_` secret.
 */
export async function seedTenant(raw: RawDb, code = 'bench'): Promise<Tenant> {
  const now = sqlTimestamp()
  const merchant = await raw.run(
    'insert into merchants (name, code, tier, status, contact_phone, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?)',
    [`Bench merchant ${code}`, code, 'standard', 'active', '13800000000', now, now]
  )
  const store = await raw.run(
    `insert into stores (merchant_id, code, name, address, city, lat, lng, contact_name, contact_phone, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      merchant.insertId,
      'S1',
      'Chaoyang store',
      '北京市朝阳区建国路88号',
      '北京',
      39.9087,
      116.4605,
      '王店长',
      '13900000001',
      now,
      now,
    ]
  )
  const apiKey = `chk_${randomBytes(32).toString('base64url')}`
  await raw.run(
    'insert into api_keys (merchant_id, name, prefix, secret_hash, created_at, updated_at) values (?, ?, ?, ?, ?, ?)',
    [
      merchant.insertId,
      'bench key',
      apiKey.slice(0, 12),
      createHash('sha256').update(apiKey).digest('hex'),
      now,
      now,
    ]
  )
  return { merchantId: merchant.insertId, storeId: store.insertId, apiKey }
}
