/**
 * Carries out HTTP requests on behalf of plugin workers. Every request is checked
 * against the plugin's egress policy first; redirects are not followed (a redirect
 * could leave the allow-list) but handed back to the plugin as 3xx answers.
 */
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

async function readCapped(response: Response, maxBytes: number, url: string): Promise<string> {
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
      throw new RetryableError(`Response from ${url} exceeds ${maxBytes} bytes`, {
        code: 'response_too_large',
      })
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

export async function performHostFetch(
  request: ProxiedRequest,
  policy: EgressPolicy,
  limits: HostFetchLimits,
  fetchImplementation: FetchImplementation = globalThis.fetch
): Promise<ProxiedResponse> {
  const decision = policy.check(request.url)
  if (!decision.allowed) {
    throw new EgressDeniedError(`Egress denied: ${decision.reason}`)
  }
  const timeoutMs = Math.min(request.timeoutMs ?? limits.timeoutCapMs, limits.timeoutCapMs)
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
    const timedOut = (error as Error).name === 'TimeoutError'
    throw new RetryableError(
      timedOut
        ? `${request.method} ${request.url} timed out after ${timeoutMs} ms`
        : `${request.method} ${request.url} failed: ${(error as Error).message}`,
      { code: timedOut ? 'http_timeout' : 'network_error' }
    )
  }
  const headers: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value
  })
  const body = await readCapped(response, limits.maxResponseBytes, request.url)
  return { status: response.status, headers, body }
}
