import { schemas } from '#openapi/components'
import { intakePaths } from '#openapi/paths/intake'
import { adminPaths } from '#openapi/paths/admin'
import { pluginPaths } from '#openapi/paths/plugins'
import { rulesetPaths } from '#openapi/paths/rulesets'
import { dispatchPaths } from '#openapi/paths/dispatch'

let cached: object | undefined

/**
 * The OpenAPI 3.1 document. Request schemas are the very objects ajv validates
 * with, so documentation and validation cannot disagree.
 */
export function openApiDocument() {
  cached ??= {
    openapi: '3.1.0',
    info: {
      title: 'Courier Hub API',
      version: '1.0.0',
      description:
        'Aggregated courier dispatch: POS systems send orders once; the hub quotes every carrier and dispatches. ' +
        'Money is integer fen; coordinates are GCJ-02. Errors are RFC 9457 problem bodies.',
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'Orders' },
      { name: 'System' },
      { name: 'Admin' },
      { name: 'Carriers' },
      { name: 'Rules' },
      { name: 'Dispatch' },
    ],
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'Merchant API key (chk_…) for POS intake',
        },
        userToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'Console access token from /api/v1/admin/auth/login',
        },
      },
      schemas,
    },
    paths: { ...intakePaths, ...adminPaths, ...pluginPaths, ...rulesetPaths, ...dispatchPaths },
  }
  return cached
}
