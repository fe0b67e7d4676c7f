import { test } from '@japa/runner'
import Database from 'better-sqlite3'
import { cachePreparedStatements } from '#database/sqlite_statement_cache'

function cachedDatabase() {
  const db = new Database(':memory:')
  cachePreparedStatements(db)
  db.exec('create table t (id integer primary key, name text)')
  return db
}

test.group('SQLite prepared statement cache', () => {
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
