/**
 * A tiny HTTP receiver standing in for the hub's webhook endpoint: records every
 * callback and can answer errors for the first N requests (to exercise retries).
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedCallback {
  path: string
  headers: Record<string, string>
  body: string
  receivedAt: number
}

export interface CallbackReceiver {
  url: string
  received: ReceivedCallback[]
  /** Answer HTTP 500 to the next `count` requests. */
  failNext(count: number): void
  /** Resolves once `predicate(received)` holds; rejects after `timeoutMs`. */
  waitFor(predicate: (received: ReceivedCallback[]) => boolean, timeoutMs?: number): Promise<void>
  close(): Promise<void>
}

export async function startCallbackReceiver(): Promise<CallbackReceiver> {
  const received: ReceivedCallback[] = []
  let failures = 0
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      if (failures > 0) {
        failures--
        response.writeHead(500).end('try later')
        return
      }
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(request.headers)) {
        if (typeof value === 'string') headers[name] = value
      }
      received.push({
        path: request.url ?? '/',
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
      })
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    failNext(count) {
      failures = count
    },
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs
      while (!predicate(received)) {
        if (Date.now() > deadline) {
          throw new Error(`Callbacks did not arrive in time (${received.length} received)`)
        }
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
