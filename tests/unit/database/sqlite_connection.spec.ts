import { test } from '@japa/runner'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { prepareSqliteConnection } from '#database/sqlite_connection'

function cachedDatabase() {
  const db = new Database(':memory:')
  prepareSqliteConnection(db)
  db.exec('create table t (id integer primary key, name text)')
  return db
}

test.group('SQLite connections | transactions', () => {
  test('a transaction holds the write lock from BEGIN, so no other process commits in between', async ({
    assert,
  }) => {
    const dir = await mkdtemp(join(tmpdir(), 'sqlite-conn-'))
    try {
      const file = join(dir, 'hub.sqlite3')
      const hub = new Database(file)
      prepareSqliteConnection(hub)
      hub.exec('create table t (id integer primary key, name text)')
      // Another process, not willing to wait.
      const other = new Database(file, { timeout: 0 })

      hub.prepare('BEGIN;').run()
      hub.prepare('select count(*) as n from t').all()
      assert.throws(
        () => other.prepare("insert into t (name) values ('other')").run(),
        /locked|busy/i
      )
      // Had the other process committed after our read, this write would fail with
      // SQLITE_BUSY_SNAPSHOT; it holds the lock instead and succeeds.
      hub.prepare("insert into t (name) values ('hub')").run()
      hub.prepare('COMMIT;').run()
      other.prepare("insert into t (name) values ('other')").run()
      assert.deepEqual(hub.prepare('select name from t order by id').all(), [
        { name: 'hub' },
        { name: 'other' },
      ])
      other.close()
      hub.close()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

test.group('SQLite connections | prepared statement cache', () => {
  test('the same SQL gets the same prepared statement, and it runs with new bindings', ({
    assert,
  }) => {
    const db = cachedDatabase()
    const insert = db.prepare('insert into t (name) values (?)')
    assert.strictEqual(db.prepare('insert into t (name) values (?)'), insert)
    insert.run('a')
    db.prepare('insert into t (name) values (?)').run('b')
    const select = db.prepare('select name from t where id = ?')
    assert.deepEqual(select.all(2)[0], { name: 'b' })
    assert.deepEqual(db.prepare('select name from t where id = ?').all(1)[0], { name: 'a' })
    assert.notStrictEqual(db.prepare('select id from t'), select)
  })

  test('long one-off statements are not kept', ({ assert }) => {
    const db = cachedDatabase()
    const long = `select id from t where id in (${Array.from({ length: 2000 }, (_, i) => i).join(',')})`
    assert.notStrictEqual(db.prepare(long), db.prepare(long))
  })

  test('the least recently used statement is dropped past 500', ({ assert }) => {
    const db = cachedDatabase()
    const first = db.prepare('select 0 as n')
    const kept = db.prepare('select 1 as n')
    for (let i = 2; i <= 500; i++) db.prepare(`select ${i} as n`)
    db.prepare('select 1 as n') // used again: now the most recent
    db.prepare('select 501 as n') // the cache is full: the oldest goes
    assert.strictEqual(db.prepare('select 1 as n'), kept)
    assert.notStrictEqual(db.prepare('select 0 as n'), first)
  })

  test('a kept statement follows a schema change', ({ assert }) => {
    const db = cachedDatabase()
    db.prepare('insert into t (name) values (?)').run('a')
    assert.deepEqual(db.prepare('select * from t').all()[0], { id: 1, name: 'a' })
    db.exec("alter table t add column city text default '北京'")
    assert.deepEqual(db.prepare('select * from t').all()[0], { id: 1, name: 'a', city: '北京' })
  })
})
