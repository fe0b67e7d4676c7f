import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import { createUser } from '#tests/helpers/fixtures'

/** Every console route, read from the router so a new route cannot be forgotten here. */
function adminRoutes() {
  return Object.values(router.toJSON())
    .flat()
    .filter((route) => route.pattern.startsWith('/api/v1/admin/'))
    .flatMap((route) =>
      route.methods.filter((method) => method !== 'HEAD').map((method) => ({ method, route }))
    )
}

test.group('Admin API authentication', () => {
  test('every route except login answers 401 without a token', async ({ client, assert }) => {
    const routes = adminRoutes().filter(({ route }) => route.pattern !== '/api/v1/admin/auth/login')
    assert.isAbove(routes.length, 20)

    for (const { method, route } of routes) {
      const url = route.pattern.replace(/:[A-Za-z]+/g, '1')
      const response = await client.request(url, method).json({})
      assert.equal(response.status(), 401, `${method} ${route.pattern}`)
      assert.equal(response.body().status, 401, `${method} ${route.pattern}`)
    }
  })

  test('every route except login and /me refuses an integrator with 403', async ({
    client,
    assert,
  }) => {
    const { token } = await createUser('integrator')
    const open = ['/api/v1/admin/auth/login', '/api/v1/admin/auth/logout', '/api/v1/admin/me']
    // Integrators may read the carrier plugins they build (GET /plugins…).
    const readable = (method: string, pattern: string) =>
      method === 'GET' && pattern.startsWith('/api/v1/admin/plugins')
    const routes = adminRoutes().filter(
      ({ method, route }) => !open.includes(route.pattern) && !readable(method, route.pattern)
    )

    for (const { method, route } of routes) {
      const url = route.pattern.replace(/:[A-Za-z]+/g, '1')
      const response = await client.request(url, method).bearerToken(token).json({})
      assert.equal(response.status(), 403, `${method} ${route.pattern}`)
    }
  })
})
