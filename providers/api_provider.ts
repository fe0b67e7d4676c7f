import { HttpContext } from '@adonisjs/core/http'
import { BaseSerializer } from '@adonisjs/core/transformers'

export interface CursorPageMeta {
  next_cursor: string | null
  limit: number
}

/**
 * Every successful API response is `{ "data": ... }`; cursor-paginated lists add
 * `"metadata": { "next_cursor", "limit" }`.
 */
class ApiSerializer extends BaseSerializer<{ Wrap: 'data'; PaginationMetaData: CursorPageMeta }> {
  wrap: 'data' = 'data'

  definePaginationMetaData(metaData: unknown): CursorPageMeta {
    const meta = metaData as Partial<CursorPageMeta>
    if (!meta || typeof meta.limit !== 'number' || !('next_cursor' in meta)) {
      throw new Error('Pagination metadata must contain next_cursor and limit')
    }
    return { next_cursor: meta.next_cursor ?? null, limit: meta.limit }
  }
}

declare module '@adonisjs/core/http' {
  export interface HttpContext {
    serialize: ApiSerializer['serialize']
  }
}

const serializer = new ApiSerializer()

HttpContext.instanceProperty('serialize', function (this: HttpContext, values: any): any {
  return serializer.serialize(values, this.containerResolver)
})
