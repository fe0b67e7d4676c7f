import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import { Validator } from '@seriousme/openapi-schema-validator'

/** `/api/v1/orders/:id/cancel` → `/api/v1/orders/{id}/cancel` */
function toOpenApiPath(pattern: string) {
  return pattern.replace(/:([A-Za-z_]+)\??/g, '{$1}')
}

test.group('OpenAPI document', () => {
  test('is served and is a valid OpenAPI 3.1 document', async ({ client, assert }) => {
    const response = await client.get('/api/v1/openapi.json')
    response.assertStatus(200)
    const document = response.body()
    assert.equal(document.openapi, '3.1.0')

    const validator = new Validator()
    const result = await validator.validate(document)
    assert.deepEqual(
      result.errors ?? [],
      [],
      JSON.stringify(result.errors, null, 2)?.slice(0, 2000)
    )
    assert.isTrue(result.valid)
  })

  test('documents every registered route and nothing else', async ({ client, assert }) => {
    const served = await client.get('/api/v1/openapi.json')
    const document = served.body()
    const routes = Object.values(router.toJSON())
      .flat()
      .flatMap((route) =>
        route.methods
          .filter((m) => m !== 'HEAD')
          .map((m) => `${m.toLowerCase()} ${toOpenApiPath(route.pattern)}`)
      )
    const documented = Object.entries(
      document.paths as Record<string, Record<string, unknown>>
    ).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`))

    assert.isAbove(routes.length, 5)
    assert.deepEqual(
      routes.filter((r) => !documented.includes(r)),
      [],
      'routes missing from the OpenAPI document'
    )
    assert.deepEqual(
      documented.filter((d) => !routes.includes(d)),
      [],
      'documented operations without a route'
    )
  })

  test('request schemas in the document are the ones the API validates with', async ({
    client,
    assert,
  }) => {
    const served = await client.get('/api/v1/openapi.json')
    const document = served.body()
    const orderInput = document.components.schemas.OrderInput
    assert.equal(orderInput.additionalProperties, false)
    assert.equal(orderInput.properties.weight_g.maximum, 50000)
    assert.includeMembers(orderInput.required, ['external_id', 'recipient', 'weight_g'])
  })
})
