/**
 * Carries out HTTP requests on behalf of plugin workers. Every request is checked
 * against the plugin's egress policy first; redirects are not followed (a redirect
 * could leave the allow-list) but handed back to the plugin as 3xx answers.
 *
 * Requests go through one keep-alive undici Agent per process rather than the global
 * fetch: same engine, but without building WHATWG Request/Response/stream objects,
 * which cost ~3x the CPU of the exchange itself (see docs/performance.md, "Carrier
 * HTTP client"). A dispatch makes ~7 carrier calls per order, so this is hot.
 */
import { brotliDecompress, gunzip, inflate, type ZlibOptions } from 'node:zlib'
import { Agent } from 'undici'
import type { Dispatcher } from 'undici'
import type { EgressPolicy } from '#sdk/egress_policy'
import { EgressDeniedError } from '#carriers/host_errors'
import type { ProxiedRequest, ProxiedResponse } from '#carriers/worker_protocol'
import { RetryableError } from '#sdk/errors'

export interface HostFetchLimits {
  /** Upper bound for any one request, whatever the plugin asks for. */
  timeoutCapMs: number
  /** Largest response body handed to a plugin. */
  maxResponseBytes: number
}

export type FetchImplementation = typeof globalThis.fetch

const AGENT_OPTIONS: Agent.Options = {
  // Per carrier origin. Twice the dispatch default of 64 orders in flight, so it only
  // queues under a runaway; time in the queue counts against the request's timeout.
  connections: 128,
  // For servers that send no `Keep-Alive: timeout=…` hint: below Node's 5 s server
  // default, so we drop an idle socket before the server does, rather than writing a
  // request into one it is closing.
  keepAliveTimeout: 4_000,
  // Upper bound on what a server's `Keep-Alive: timeout=…` hint can make us keep.
  keepAliveMaxTimeout: 60_000,
}

let sharedAgent: Agent | null = null

function agent(): Agent {
  sharedAgent ??= new Agent(AGENT_OPTIONS)
  return sharedAgent
}

/**
 * Closes the keep-alive connections (app shutdown, see the carriers provider).
 * Requests already under way finish first; a later request opens a fresh agent.
 */
export async function closeHostHttpClient(): Promise<void> {
  const closing = sharedAgent
  sharedAgent = null
  await closing?.close()
}

/** The defaults fetch added that a server may act on (not the browser-only ones). */
function outgoingHeaders(request: ProxiedRequest, hasBody: boolean): Record<string, string> {
  const headers: Record<string, string> = { 'accept': '*/*', 'user-agent': 'node' }
  if (hasBody) headers['content-type'] = 'text/plain;charset=UTF-8'
  // Lower-cased so a plugin's value replaces the default instead of doubling it.
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value
  return headers
}

/**
 * Joined the way Headers.forEach hands them over: ", " between repeated values, except
 * set-cookie, which forEach yields one value at a time, so the last one was kept.
 */
function flattenHeaders(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  const flat: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    if (!Array.isArray(value)) flat[name] = value
    else flat[name] = name === 'set-cookie' ? value[value.length - 1] : value.join(', ')
  }
  return flat
}

function tooLarge(url: string, maxBytes: number): RetryableError {
  return new RetryableError(`Response from ${url} exceeds ${maxBytes} bytes`, {
    code: 'response_too_large',
  })
}

function readCapped(
  body: Dispatcher.ResponseData['body'],
  maxBytes: number,
  url: string
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let total = 0
    body.on('data', (chunk: Buffer) => {
      total += chunk.byteLength
      if (total > maxBytes) {
        // Destroying an unfinished body aborts the request: the socket is closed
        // rather than drained, so a huge answer costs no more than the cap.
        body.destroy()
        reject(tooLarge(url, maxBytes))
        return
      }
      chunks.push(chunk)
    })
    body.on('end', () => resolve(Buffer.concat(chunks, total)))
    body.on('error', reject)
  })
}

type Decoder = (
  buffer: Buffer,
  options: ZlibOptions,
  callback: (error: Error | null, result: Buffer) => void
) => void

const DECODERS: Record<string, Decoder> = {
  'gzip': gunzip,
  'x-gzip': gunzip,
  'deflate': inflate,
  'br': brotliDecompress,
}

/**
 * fetch decoded compressed bodies. We do not ask for compression (carrier answers are
 * small; decoding costs CPU) but a server may compress anyway, or a plugin may ask:
 * the plugin still gets text, capped on the decoded size. Unknown codings pass as is.
 */
async function decodeBody(
  raw: Buffer,
  contentEncoding: string | string[] | undefined,
  maxBytes: number
): Promise<Buffer> {
  if (contentEncoding === undefined || raw.byteLength === 0) return raw
  const codings = String(contentEncoding)
    .toLowerCase()
    .split(',')
    .map((coding) => coding.trim())
    .filter((coding) => coding !== '' && coding !== 'identity')
  if (!codings.every((coding) => coding in DECODERS)) return raw
  let decoded = raw
  for (const coding of codings.reverse()) {
    const input = decoded
    decoded = await new Promise<Buffer>((resolve, reject) =>
      DECODERS[coding](input, { maxOutputLength: maxBytes }, (error, result) =>
        error ? reject(error) : resolve(result)
      )
    )
  }
  return decoded
}

async function viaAgent(
  request: ProxiedRequest,
  timeoutMs: number,
  maxBytes: number
): Promise<ProxiedResponse> {
  const url = new URL(request.url)
  const body = request.method === 'GET' ? undefined : (request.body ?? undefined)
  // One deadline for connect, headers, body and decoding alike.
  const deadline = new AbortController()
  const timer = setTimeout(() => deadline.abort(), timeoutMs)
  try {
    const response = await agent().request({
      origin: url.origin,
      path: url.pathname + url.search,
      method: request.method,
      headers: outgoingHeaders(request, body !== undefined),
      body,
      signal: deadline.signal,
    })
    const raw = await readCapped(response.body, maxBytes, request.url)
    const decoded = await decodeBody(raw, response.headers['content-encoding'], maxBytes)
    return {
      status: response.statusCode,
      headers: flattenHeaders(response.headers),
      body: decoded.toString('utf8'),
    }
  } catch (error) {
    if (error instanceof RetryableError) throw error
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw tooLarge(request.url, maxBytes)
    }
    throw failure(request, timeoutMs, deadline.signal.aborted, error)
  } finally {
    clearTimeout(timer)
  }
}

function failure(
  request: ProxiedRequest,
  timeoutMs: number,
  timedOut: boolean,
  error: unknown
): RetryableError {
  return new RetryableError(
    timedOut
      ? `${request.method} ${request.url} timed out after ${timeoutMs} ms`
      : `${request.method} ${request.url} failed: ${(error as Error).message}`,
    { code: timedOut ? 'http_timeout' : 'network_error' }
  )
}

async function readFetchCapped(response: Response, maxBytes: number, url: string) {
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > maxBytes) {
      await reader.cancel()
      throw tooLarge(url, maxBytes)
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** The host option `fetchImplementation` (contract tests, proxies) goes this way. */
async function viaFetch(
  request: ProxiedRequest,
  timeoutMs: number,
  maxBytes: number,
  fetchImplementation: FetchImplementation
): Promise<ProxiedResponse> {
  let response: Response
  try {
    response = await fetchImplementation(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.method === 'GET' ? undefined : (request.body ?? undefined),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (error) {
    throw failure(request, timeoutMs, (error as Error).name === 'TimeoutError', error)
  }
  const headers: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value
  })
  const body = await readFetchCapped(response, maxBytes, request.url)
  return { status: response.status, headers, body }
}

export async function performHostFetch(
  request: ProxiedRequest,
  policy: EgressPolicy,
  limits: HostFetchLimits,
  fetchImplementation?: FetchImplementation
): Promise<ProxiedResponse> {
  const decision = policy.check(request.url)
  if (!decision.allowed) {
    throw new EgressDeniedError(`Egress denied: ${decision.reason}`)
  }
  const timeoutMs = Math.min(request.timeoutMs ?? limits.timeoutCapMs, limits.timeoutCapMs)
  return fetchImplementation
    ? viaFetch(request, timeoutMs, limits.maxResponseBytes, fetchImplementation)
    : viaAgent(request, timeoutMs, limits.maxResponseBytes)
}
