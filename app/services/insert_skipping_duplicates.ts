import type { QueryClientContract } from '@adonisjs/lucid/types/database'

/**
 * An INSERT that skips the rows whose unique key is stored already, and only those:
 * on MySQL `ON DUPLICATE KEY UPDATE id = id` (`INSERT IGNORE` would also turn other
 * errors, such as a value too long for its column, into silent warnings), on SQLite
 * `ON CONFLICT (<key>) DO NOTHING`. The unique index decides, so two requests storing
 * the same row at once store it once, with no look-up beforehand.
 *
 * What tells a stored row from a skipped one, for callers that need it: on MySQL the
 * result's insertId is 0 for a skipped row (affectedRows is not, as the driver
 * counts found rows); on SQLite add `returning id`.
 */
export function insertSkippingDuplicates(
  client: QueryClientContract,
  table: string,
  rows: object | object[],
  uniqueColumns: string[]
) {
  const insert = client.knexQuery().table(table).insert(rows).onConflict(uniqueColumns)
  return client.dialect.name === 'mysql'
    ? insert.merge({ id: client.knexRawQuery('??', ['id']) })
    : insert.ignore()
}
