import type { LucidModel, ModelQueryBuilderContract } from '@adonisjs/lucid/types/model'
import ProblemException from '#exceptions/problem'

export const DEFAULT_PAGE_SIZE = 50

export interface PageInput {
  cursor?: string
  limit?: number
}

export interface Page<Row> {
  rows: Row[]
  nextCursor: string | null
  limit: number
}

/**
 * The cursor names the list it came from, so a cursor from the users list fed to
 * the merchants list is rejected instead of silently skipping rows.
 */
function encodeCursor(kind: string, id: number) {
  return Buffer.from(`${kind}:${id}`).toString('base64url')
}

function decodeCursor(kind: string, cursor: string): number {
  const match = /^([a-z_]+):(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString())
  if (!match || match[1] !== kind) {
    throw ProblemException.invalid(
      [{ pointer: '/cursor', rule: 'cursor', message: 'is not a cursor this list issued' }],
      'Invalid cursor'
    )
  }
  return Number(match[2])
}

/**
 * Newest first by id, like the order lists: stable while rows are inserted and as
 * cheap on page 1,000 as on page 1. One extra row tells whether a next page exists.
 */
export async function keysetPage<Model extends LucidModel>(
  query: ModelQueryBuilderContract<Model>,
  kind: string,
  page: PageInput
): Promise<Page<InstanceType<Model>>> {
  const limit = page.limit ?? DEFAULT_PAGE_SIZE
  if (page.cursor) query.where('id', '<', decodeCursor(kind, page.cursor))
  const found = await query.orderBy('id', 'desc').limit(limit + 1)
  const rows = found.slice(0, limit)
  const last = rows.at(-1)
  const nextCursor =
    found.length > limit && last ? encodeCursor(kind, Number(last.$primaryKeyValue)) : null
  return { rows, nextCursor, limit }
}
