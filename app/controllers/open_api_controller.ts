import type { HttpContext } from '@adonisjs/core/http'
import { openApiDocument } from '#openapi/document'

/** The OpenAPI 3.1 description of every route, for POS integrators and tools. */
export default class OpenApiController {
  async show({ response }: HttpContext) {
    response.header('cache-control', 'public, max-age=300')
    return openApiDocument()
  }
}
