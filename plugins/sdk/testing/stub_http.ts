/**
 * Test doubles for a plugin's context: an HTTP stub that records every request and
 * answers from fixtures, a fixed clock, and predictable nonces. Plugin authors use
 * these in their own tests; the conformance kit is built on them.
 */
import type {
  HostFetch,
  HostFetchInit,
  HostFetchResponse,
  PluginContext,
  PluginLogger,
} from '../contract.js'
import { EgressPolicy } from '../egress_policy.js'

export interface StubResponse {
  status?: number
  headers?: Record<string, string>
  /** Objects and arrays are sent as JSON; strings as they are. */
  body?: unknown
}

export interface RecordedRequest {
  url: string
  method: string
  /** Lower-cased names. */
  headers: Record<string, string>
  body: string | undefined
}

export type StubResponder = (request: RecordedRequest, index: number) => StubResponse

export class StubHttpError extends Error {
  override name = 'StubHttpError'
}

export class StubHttp {
  readonly requests: RecordedRequest[] = []
  #queue: StubResponse[] = []
  #responder: StubResponder | null = null
  #policy: EgressPolicy | null

  /**
   * @param responses answered in order, or a function choosing the answer per request
   * @param egress when given, requests to other hosts fail as they would in the hub
   */
  constructor(responses: StubResponse[] | StubResponder = [], egress?: string[]) {
    if (typeof responses === 'function') this.#responder = responses
    else this.#queue = [...responses]
    this.#policy = egress ? new EgressPolicy(egress) : null
  }

  enqueue(...responses: StubResponse[]): this {
    this.#queue.push(...responses)
    return this
  }

  readonly fetch: HostFetch = async (
    url: string,
    init: HostFetchInit = {}
  ): Promise<HostFetchResponse> => {
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(init.headers ?? {}))
      headers[name.toLowerCase()] = String(value)
    const request: RecordedRequest = {
      url,
      method: (init.method ?? 'GET').toUpperCase(),
      headers,
      body: init.body,
    }
    this.requests.push(request)
    if (this.#policy) {
      const decision = this.#policy.check(url)
      if (!decision.allowed) {
        throw Object.assign(new Error(`Egress denied: ${decision.reason}`), {
          name: 'EgressDeniedError',
          code: 'egress_denied',
        })
      }
    }
    const index = this.requests.length - 1
    const answer = this.#responder ? this.#responder(request, index) : this.#queue.shift()
    if (!answer)
      throw new StubHttpError(
        `No stubbed response left for ${request.method} ${url} (request #${index + 1})`
      )
    return toResponse(answer)
  }
}

export function toResponse(answer: StubResponse): HostFetchResponse {
  const status = answer.status ?? 200
  const body =
    answer.body === undefined
      ? ''
      : typeof answer.body === 'string'
        ? answer.body
        : JSON.stringify(answer.body)
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(answer.headers ?? {}))
    headers[name.toLowerCase()] = value
  if (typeof answer.body === 'object' && answer.body !== null && !headers['content-type']) {
    headers['content-type'] = 'application/json'
  }
  return {
    status,
    ok: status >= 200 && status < 300,
    headers,
    text: async () => body,
    json: async <T>() => JSON.parse(body) as T,
  }
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error'
  message: string
  fields?: Record<string, unknown>
}

export function recordingLogger(lines: LogLine[] = []): PluginLogger & { lines: LogLine[] } {
  const push = (level: LogLine['level']) => (message: string, fields?: Record<string, unknown>) => {
    lines.push({ level, message, fields })
  }
  return {
    lines,
    debug: push('debug'),
    info: push('info'),
    warn: push('warn'),
    error: push('error'),
  }
}

/** Nonces "0123456789abcdef…" cut to length: signatures in fixtures stay stable. */
export function predictableNonce(length = 16): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz'
  return alphabet.repeat(Math.ceil(length / alphabet.length)).slice(0, length)
}

export interface TestContextOptions<Config> {
  config: Config
  http: StubHttp
  accountId?: string
  /** The clock's fixed time. Default 2025-01-01T08:00:00Z. */
  now?: string | Date
  logger?: PluginLogger
}

export const DEFAULT_TEST_NOW = '2025-01-01T08:00:00.000Z'

export function createTestContext<Config>(
  options: TestContextOptions<Config>
): PluginContext<Config> {
  const now = new Date(options.now ?? DEFAULT_TEST_NOW)
  return {
    config: options.config,
    accountId: options.accountId ?? 'test-account',
    fetch: options.http.fetch,
    clock: { now: () => new Date(now) },
    random: { nonce: predictableNonce },
    logger: options.logger ?? recordingLogger(),
  }
}
