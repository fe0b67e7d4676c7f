/**
 * One node:http server for everything: `/<carrier>/...` to the emulators,
 * `/_control/...` to the control API, `/_weather/:city` for the hub's weather
 * source. Plain node:http keeps the per-request cost low for benchmark runs.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { SandboxControl } from '#sandbox/control'
import type { SandboxCore } from '#sandbox/core'
import { CarrierGateway } from '#sandbox/server/carrier_gateway'
import { handleControl, handleWeather } from '#sandbox/server/control_routes'
import {
  BodyTooLargeError,
  lowerCaseHeaders,
  readBody,
  send,
  sendJson,
} from '#sandbox/server/http_io'

export interface SandboxHttpOptions {
  /** How long a request picked by the timeoutRate knob is held before the connection drops. */
  timeoutHoldMs: number
  maxBodyBytes: number
  onError: (error: unknown) => void
}

export class SandboxHttpServer {
  readonly #core: SandboxCore
  readonly #control: SandboxControl
  readonly #options: SandboxHttpOptions
  readonly #gateway: CarrierGateway
  readonly #server: Server
  #timers = new Set<NodeJS.Timeout>()

  constructor(core: SandboxCore, control: SandboxControl, options: SandboxHttpOptions) {
    this.#core = core
    this.#control = control
    this.#options = options
    this.#gateway = new CarrierGateway(core, {
      sleep: (ms) => this.#sleep(ms),
      onError: options.onError,
    })
    this.#server = createServer({ keepAliveTimeout: 30_000 }, (request, response) => {
      this.#route(request, response).catch((error) => {
        options.onError(error)
        if (!response.headersSent) sendJson(response, 500, { error: 'sandbox internal error' })
        else response.destroy()
      })
    })
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject)
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject)
        resolve((this.#server.address() as AddressInfo).port)
      })
    })
  }

  close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
    return new Promise((resolve) => {
      this.#server.close(() => resolve())
      this.#server.closeAllConnections()
    })
  }

  async #route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://sandbox.invalid')
    const segments = url.pathname.split('/').filter(Boolean)
    const query = Object.fromEntries(url.searchParams)
    const [head = ''] = segments
    if (head === '_control' || head === '_weather') {
      let body: unknown = null
      let raw: string
      try {
        raw = await readBody(request, this.#options.maxBodyBytes)
      } catch (error) {
        if (error instanceof BodyTooLargeError)
          return sendJson(response, 413, { error: error.message })
        throw error
      }
      if (raw.trim()) {
        try {
          body = JSON.parse(raw)
        } catch {
          return sendJson(response, 400, { error: 'body must be JSON' })
        }
      }
      const controlRequest = {
        method: request.method ?? 'GET',
        params: segments.slice(1).map(decodeSegment),
        query,
        body,
      }
      const answer =
        head === '_control'
          ? handleControl(this.#control, controlRequest)
          : handleWeather(this.#control, controlRequest)
      return sendJson(response, answer.status, answer.body)
    }
    if (!head) return sendJson(response, 200, this.#control.overview())
    const emulator = this.#core.emulators.get(decodeSegment(head))
    if (!emulator) {
      return sendJson(response, 404, {
        error: `No emulated carrier "${decodeSegment(head)}"`,
        carriers: [...this.#core.emulators.keys()],
      })
    }
    await this.#carrier(request, response, emulator, url, head)
  }

  async #carrier(
    request: IncomingMessage,
    response: ServerResponse,
    emulator: Parameters<CarrierGateway['handle']>[0],
    url: URL,
    head: string
  ): Promise<void> {
    let rawBody: string
    try {
      rawBody = await readBody(request, this.#options.maxBodyBytes)
    } catch (error) {
      if (error instanceof BodyTooLargeError)
        return sendJson(response, 413, { error: error.message })
      throw error
    }
    // The path stays as sent (still URL-encoded): carriers sign it that way.
    const path = url.pathname.slice(head.length + 1) || '/'
    const outcome = await this.#gateway.handle(emulator, {
      method: (request.method ?? 'GET').toUpperCase(),
      path,
      query: Object.fromEntries(url.searchParams),
      headers: lowerCaseHeaders(request),
      rawBody,
    })
    if (outcome.kind === 'respond') return send(response, outcome.response)
    if (outcome.kind === 'reset') {
      request.socket.destroy()
      return
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer)
      request.socket.destroy()
    }, this.#options.timeoutHoldMs)
    this.#timers.add(timer)
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer)
        resolve()
      }, ms)
      this.#timers.add(timer)
    })
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}
