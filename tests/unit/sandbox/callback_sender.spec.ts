/**
 * CallbackSender against a real local server: what it records for success, non-2xx,
 * timeouts and refused connections, its retries, its concurrency bound, abortAll,
 * keep-alive reuse, and the loopback-only rule.
 */
import { test } from '@japa/runner'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { CallbackSender, type CallbackSenderOptions } from '#sandbox/callbacks/callback_sender'
import type { SignedCallback } from '#sandbox/emulator'
import {
  closedPort,
  readBody,
  startLocalServer,
  type LocalServer,
} from '#tests/unit/carriers/support/local_http_server'

interface Seen {
  path: string
  connection: number
  headers: IncomingMessage['headers']
  body: string
}

function sender(options: Partial<CallbackSenderOptions> = {}): CallbackSender {
  return new CallbackSender({ retryDelaysMs: [], timeoutMs: 2_000, concurrency: 8, ...options })
}

test.group('Callback sender | against a local receiver', (group) => {
  let server: LocalServer
  const seen: Seen[] = []
  /** Answers still open (the /hold route), ended by the test. */
  const held: ServerResponse[] = []
  let failuresLeft = 0

  group.setup(async () => {
    server = await startLocalServer(async (request, response, connection) => {
      const body = await readBody(request)
      seen.push({ path: request.url ?? '', connection, headers: request.headers, body })
      if (request.url === '/hold') {
        held.push(response)
        return
      }
      if (request.url === '/flaky' && failuresLeft > 0) {
        failuresLeft--
        response.writeHead(500).end('try later')
        return
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    })
    return () => server.close()
  })
  group.each.setup(() => {
    seen.length = 0
    held.length = 0
    failuresLeft = 0
  })

  const callback = (path: string): SignedCallback => ({
    url: `${server.origin}${path}`,
    headers: { 'content-type': 'application/json', 'x-signature': 'sig-1' },
    body: '{"status":"picked_up"}',
  })

  test('a 2xx answer is a success; the POST carries headers and body', async ({ assert }) => {
    const attempts: number[] = []
    const result = await sender().deliver(callback('/ok?seq=1'), (attempt) =>
      attempts.push(attempt)
    )
    assert.deepEqual(result, { ok: true, httpStatus: 200, attempts: 1 })
    assert.deepEqual(attempts, [1])
    assert.lengthOf(seen, 1)
    assert.equal(seen[0].path, '/ok?seq=1')
    assert.equal(seen[0].headers['x-signature'], 'sig-1')
    assert.equal(seen[0].headers['content-type'], 'application/json')
    assert.equal(seen[0].body, '{"status":"picked_up"}')
  })

  test('non-2xx answers are retried after the pauses, then succeed', async ({ assert }) => {
    failuresLeft = 2
    const attempts: number[] = []
    const result = await sender({ retryDelaysMs: [10, 20, 30] }).deliver(
      callback('/flaky'),
      (attempt) => attempts.push(attempt)
    )
    assert.deepEqual(result, { ok: true, httpStatus: 200, attempts: 3 })
    assert.deepEqual(attempts, [1, 2, 3])
    assert.lengthOf(seen, 3)
  })

  test('the last failure is reported after the retries run out', async ({ assert }) => {
    failuresLeft = 5
    const result = await sender({ retryDelaysMs: [5] }).deliver(callback('/flaky'))
    assert.deepEqual(result, { ok: false, httpStatus: 500, attempts: 2, error: 'HTTP 500' })
  })

  test('sequential callbacks reuse one keep-alive connection', async ({ assert, cleanup }) => {
    // A receiver of its own: the sender's agent keeps idle sockets per origin, and
    // the shared receiver's come from earlier tests.
    const connections: number[] = []
    const receiver = await startLocalServer((_request, response, connection) => {
      connections.push(connection)
      response.end('{"ok":true}')
    })
    cleanup(() => receiver.close())
    const instance = sender()
    for (let index = 0; index < 3; index++) {
      const result = await instance.deliver({ ...callback('/ok'), url: `${receiver.origin}/ok` })
      assert.isTrue(result.ok)
      // undici hands a socket back one event-loop turn after the answer ended.
      await new Promise((resolve) => setImmediate(resolve))
    }
    assert.deepEqual(connections, [1, 1, 1])
    assert.equal(receiver.connections, 1)
  })

  test('a receiver that does not answer times out', async ({ assert }) => {
    const started = performance.now()
    const result = await sender({ timeoutMs: 150 }).deliver(callback('/hold'))
    assert.deepEqual(result, {
      ok: false,
      httpStatus: null,
      attempts: 1,
      error: 'The operation was aborted due to timeout',
    })
    assert.isAtLeast(performance.now() - started, 140)
  })

  test('a refused connection is a failure with the reason', async ({ assert }) => {
    const port = await closedPort()
    const result = await sender().deliver({
      ...callback('/ok'),
      url: `http://127.0.0.1:${port}/hook`,
    })
    assert.isFalse(result.ok)
    assert.isNull(result.httpStatus)
    assert.equal(result.attempts, 1)
    assert.match(result.error ?? '', /ECONNREFUSED/)
  })

  test('no more than `concurrency` callbacks are in flight', async ({ assert }) => {
    const instance = sender({ concurrency: 2 })
    const results = Array.from({ length: 5 }, () => instance.deliver(callback('/hold')))
    await waitUntil(() => seen.length === 2)
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.lengthOf(seen, 2, 'the third waits for a free slot')
    // Each answer frees a slot for exactly one waiting callback.
    for (let answered = 0; answered < 5; answered++) {
      await waitUntil(() => held.length > answered)
      held[answered].writeHead(200).end()
      assert.isAtMost(seen.length - (answered + 1), 2)
    }
    for (const result of await Promise.all(results)) assert.isTrue(result.ok)
    assert.lengthOf(seen, 5)
  })

  test('abortAll stops a callback in flight and its retries', async ({ assert }) => {
    const instance = sender({ retryDelaysMs: [10, 10] })
    const attempts: number[] = []
    const result = instance.deliver(callback('/hold'), (attempt) => attempts.push(attempt))
    await waitUntil(() => seen.length === 1)
    instance.abortAll()
    assert.deepEqual(await result, {
      ok: false,
      httpStatus: null,
      attempts: 1,
      error: 'sandbox stopped or reset',
    })
    assert.deepEqual(attempts, [1])
  })

  test('only loopback URLs are called', async ({ assert }) => {
    const attempts: number[] = []
    const result = await sender().deliver(
      { ...callback('/ok'), url: 'http://hub.example.com/hook' },
      (attempt) => attempts.push(attempt)
    )
    assert.deepEqual(result, {
      ok: false,
      httpStatus: null,
      attempts: 0,
      error: 'callback URL must be on 127.0.0.1/localhost',
    })
    assert.lengthOf(attempts, 0)
    assert.lengthOf(seen, 0)
  })
})

async function waitUntil(predicate: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error('condition not reached in time')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
