/**
 * performHostFetch against a real local server, through the real keep-alive client:
 * connection reuse, the deadline over the whole exchange, the body cap, redirects
 * handed back, header folding, and the egress check before any connection.
 */
import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'
import { EgressPolicy } from '#sdk/egress_policy'
import { RetryableError } from '#sdk/errors'
import { EgressDeniedError } from '#carriers/host_errors'
import { closeHostHttpClient, performHostFetch, type HostFetchLimits } from '#carriers/host_fetch'
import type { ProxiedRequest } from '#carriers/worker_protocol'
import {
  closedPort,
  readBody,
  startLocalServer,
  type LocalServer,
} from '#tests/unit/carriers/support/local_http_server'

const LIMITS: HostFetchLimits = { timeoutCapMs: 5_000, maxResponseBytes: 4_096 }

function get(url: string, extra: Partial<ProxiedRequest> = {}): ProxiedRequest {
  return { url, method: 'GET', headers: {}, body: null, timeoutMs: null, ...extra }
}

async function failureOf(promise: Promise<unknown>): Promise<RetryableError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught
  )
  if (!(error instanceof RetryableError)) throw new Error(`expected a RetryableError: ${error}`)
  return error
}

test.group('Host fetch | keep-alive client against a local server', (group) => {
  let server: LocalServer
  let policy: EgressPolicy
  /** Connection id of each request the server saw, in order. */
  const seen: { path: string; connection: number }[] = []

  group.setup(async () => {
    server = await startLocalServer(async (request, response, connection) => {
      seen.push({ path: request.url ?? '', connection })
      const body = await readBody(request)
      switch (request.url) {
        case '/echo':
          response.setHeader('X-Mixed-Case', 'yes')
          response.setHeader('x-multi', ['1', '2'])
          response.setHeader('set-cookie', ['a=1', 'b=2'])
          response.end(JSON.stringify({ method: request.method, headers: request.headers, body }))
          return
        case '/redirect':
          response.writeHead(302, { location: 'http://elsewhere.example.org/next' })
          response.end('moved')
          return
        case '/withhold':
          // Headers and part of the body, then nothing: only the deadline ends it.
          response.writeHead(200, { 'content-length': '100' })
          response.write('partial')
          return
        case '/huge':
          // More than the cap, and the answer never ends: only an abort closes it.
          response.writeHead(200)
          response.write('x'.repeat(16 * 1024))
          return
        case '/gzip':
          response.writeHead(200, { 'content-encoding': 'gzip' })
          response.end(gzipSync('{"fee":990}'))
          return
        case '/gzip-bomb':
          response.writeHead(200, { 'content-encoding': 'gzip' })
          response.end(gzipSync('0'.repeat(1024 * 1024)))
          return
        default:
          response.writeHead(404)
          response.end()
      }
    })
    policy = new EgressPolicy([`127.0.0.1:${server.port}`])
    return () => server.close()
  })
  // A fresh agent per test, so connection counts do not depend on earlier tests.
  group.each.setup(async () => {
    await closeHostHttpClient()
    seen.length = 0
  })

  test('sequential requests reuse one keep-alive connection', async ({ assert }) => {
    const before = server.connections
    for (let index = 0; index < 3; index++) {
      const response = await performHostFetch(get(`${server.origin}/echo`), policy, LIMITS)
      assert.equal(response.status, 200)
      // undici hands a socket back one event-loop turn after the answer ended (it waits
      // to see whether the server closes it after all). A plugin's next request always
      // comes later than that: it crosses the worker's message port first.
      await new Promise((resolve) => setImmediate(resolve))
    }
    assert.lengthOf(seen, 3)
    assert.deepEqual(
      seen.map((request) => request.connection),
      Array(3).fill(seen[0].connection)
    )
    assert.equal(server.connections - before, 1)
  })

  test('POST sends its body and headers; GET never sends a body', async ({ assert }) => {
    const posted = await performHostFetch(
      {
        url: `${server.origin}/echo`,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-sign': 'abc' },
        body: '{"order":1}',
        timeoutMs: null,
      },
      policy,
      LIMITS
    )
    const echoed = JSON.parse(posted.body)
    assert.equal(echoed.method, 'POST')
    assert.equal(echoed.body, '{"order":1}')
    assert.equal(echoed.headers['content-type'], 'application/json')
    assert.equal(echoed.headers['x-sign'], 'abc')
    assert.equal(echoed.headers['content-length'], '11')

    const plain = await performHostFetch(
      { ...get(`${server.origin}/echo`), method: 'PUT', body: 'text' },
      policy,
      LIMITS
    )
    assert.equal(
      JSON.parse(plain.body).headers['content-type'],
      'text/plain;charset=UTF-8',
      'a body without a content type gets the one fetch gave it'
    )

    const fetched = await performHostFetch(
      get(`${server.origin}/echo`, { body: 'ignored' }),
      policy,
      LIMITS
    )
    const got = JSON.parse(fetched.body)
    assert.equal(got.method, 'GET')
    assert.equal(got.body, '')
    assert.notProperty(got.headers, 'content-length')
  })

  test('response headers: lower-case names, repeats joined, set-cookie keeps the last', async ({
    assert,
  }) => {
    const response = await performHostFetch(get(`${server.origin}/echo`), policy, LIMITS)
    assert.equal(response.headers['x-mixed-case'], 'yes')
    assert.notProperty(response.headers, 'X-Mixed-Case')
    assert.equal(response.headers['x-multi'], '1, 2')
    assert.equal(response.headers['set-cookie'], 'b=2')
    for (const name of Object.keys(response.headers)) assert.equal(name, name.toLowerCase())
  })

  test('a 302 comes back with its headers and is not followed', async ({ assert }) => {
    const response = await performHostFetch(get(`${server.origin}/redirect`), policy, LIMITS)
    assert.equal(response.status, 302)
    assert.equal(response.headers.location, 'http://elsewhere.example.org/next')
    assert.equal(response.body, 'moved')
    assert.deepEqual(
      seen.map((request) => request.path),
      ['/redirect']
    )
  })

  test('a server that withholds the body times out with http_timeout', async ({ assert }) => {
    const url = `${server.origin}/withhold`
    const started = performance.now()
    const failure = await failureOf(performHostFetch(get(url, { timeoutMs: 200 }), policy, LIMITS))
    const elapsed = performance.now() - started
    assert.equal(failure.code, 'http_timeout')
    assert.equal(failure.message, `GET ${url} timed out after 200 ms`)
    assert.isAtLeast(elapsed, 190)
    assert.isBelow(elapsed, 2_000)

    // The plugin cannot ask for more than the cap.
    const capped = await failureOf(
      performHostFetch(get(url, { timeoutMs: 60_000 }), policy, {
        ...LIMITS,
        timeoutCapMs: 150,
      })
    )
    assert.equal(capped.message, `GET ${url} timed out after 150 ms`)
  })

  test('a body over the cap fails with response_too_large and drops the connection', async ({
    assert,
  }) => {
    const url = `${server.origin}/huge`
    const failure = await failureOf(performHostFetch(get(url), policy, LIMITS))
    assert.equal(failure.code, 'response_too_large')
    assert.equal(failure.message, `Response from ${url} exceeds 4096 bytes`)
    // The server never ends this answer: only the client aborting closes the socket.
    const closed = await Promise.race([
      server.closed(seen[0].connection).then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 2_000)),
    ])
    assert.isTrue(closed, 'the client closed the connection')
  })

  test('compressed answers are decoded, and the cap applies to the decoded size', async ({
    assert,
  }) => {
    const response = await performHostFetch(get(`${server.origin}/gzip`), policy, LIMITS)
    assert.equal(response.body, '{"fee":990}')
    assert.equal(response.headers['content-encoding'], 'gzip')
    const bomb = await failureOf(
      performHostFetch(get(`${server.origin}/gzip-bomb`), policy, LIMITS)
    )
    assert.equal(bomb.code, 'response_too_large')
  })

  test('a denied URL fails before any connection is made', async ({ assert }) => {
    const before = server.connections
    const other = new EgressPolicy(['api.example.com'])
    const failure = await performHostFetch(get(`${server.origin}/echo`), other, LIMITS).catch(
      (error: unknown) => error
    )
    assert.instanceOf(failure, EgressDeniedError)
    assert.match((failure as Error).message, /^Egress denied: host "127\.0\.0\.1:\d+"/)
    assert.equal(server.connections, before)
    assert.lengthOf(seen, 0)
  })

  test('a refused connection fails with network_error', async ({ assert }) => {
    const port = await closedPort()
    const url = `http://127.0.0.1:${port}/x`
    const failure = await failureOf(
      performHostFetch(
        { ...get(url), method: 'POST', body: '{}' },
        new EgressPolicy([`127.0.0.1:${port}`]),
        LIMITS
      )
    )
    assert.equal(failure.code, 'network_error')
    assert.match(failure.message, new RegExp(`^POST ${url} failed: .*ECONNREFUSED`))
  })
})

test.group('Host fetch | https', (group) => {
  let server: LocalServer
  let dir: string

  group.setup(async () => {
    // A throw-away self-signed certificate; openssl ships with the base image.
    dir = await mkdtemp(join(tmpdir(), 'host-fetch-tls-'))
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ])
    server = await startLocalServer((_request, response) => response.end('secret'), {
      key: await readFile(join(dir, 'key.pem'), 'utf8'),
      cert: await readFile(join(dir, 'cert.pem'), 'utf8'),
    })
    return async () => {
      await server.close()
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('https URLs go over TLS with certificate checks on', async ({ assert }) => {
    const failure = await failureOf(
      performHostFetch(
        get(`${server.origin}/`),
        new EgressPolicy([`127.0.0.1:${server.port}`]),
        LIMITS
      )
    )
    // The handshake happened (the server presented its certificate) and was refused:
    // the client does not trust a self-signed certificate.
    assert.equal(failure.code, 'network_error')
    assert.match(failure.message, /self[- ]signed certificate/i)
    assert.equal(server.connections, 1)
  })
})
