/**
 * A real `node:http` (or `node:https`) server on 127.0.0.1 for the HTTP client tests.
 * Every connection gets a number, so a test can tell a reused keep-alive socket from
 * a new one, and can wait for the server to see a socket closed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'

export type LocalHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  connection: number
) => void

export interface LocalServer {
  /** `http://127.0.0.1:<port>` (or https). */
  origin: string
  port: number
  /** Connections accepted so far. */
  readonly connections: number
  /** Resolves when the server sees connection `id` closed. */
  closed(id: number): Promise<void>
  close(): Promise<void>
}

export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}

export async function startLocalServer(
  handler: LocalHandler,
  tls?: { key: string; cert: string }
): Promise<LocalServer> {
  const ids = new WeakMap<Socket, number>()
  const closings = new Map<number, Promise<void>>()
  let connections = 0
  const server: Server = tls ? createTlsServer(tls) : createServer()
  // TCP connections, also for TLS (a refused handshake still connected); the ids of
  // TLS connections are not matched to requests, which run on the TLS socket.
  server.on('connection', (socket: Socket) => {
    const id = ++connections
    ids.set(socket, id)
    closings.set(id, new Promise((resolve) => socket.once('close', () => resolve())))
  })
  server.on('request', (request: IncomingMessage, response: ServerResponse) =>
    handler(request, response, ids.get(request.socket) ?? 0)
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    origin: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    get connections() {
      return connections
    },
    closed: (id) => closings.get(id) ?? Promise.reject(new Error(`no connection ${id}`)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** A port nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
