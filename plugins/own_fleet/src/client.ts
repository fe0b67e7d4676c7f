/**
 * Thin HTTP for the fleet API: sign, send through the host's fetch, unwrap the
 * envelope. Everything about request and response shapes lives in mapper.ts.
 */
import { RetryableError, type PluginContext } from '../../sdk/index.js'
import { parseEnvelope, signatureHeaders, type FleetConfig, type FleetRequest } from './mapper.js'

export class FleetClient {
  readonly #ctx: PluginContext<FleetConfig>

  constructor(ctx: PluginContext<FleetConfig>) {
    this.#ctx = ctx
  }

  async send<T>(request: FleetRequest): Promise<T> {
    const { config, clock, random } = this.#ctx
    const body = request.body === undefined ? '' : JSON.stringify(request.body)
    const timestamp = Math.floor(clock.now().getTime() / 1000)
    const headers = {
      accept: 'application/json',
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...signatureHeaders(
        config,
        { method: request.method, path: request.path, body },
        timestamp,
        random.nonce(16)
      ),
    }
    const url = config.baseUrl.replace(/\/+$/, '') + request.path
    let response
    try {
      response = await this.#ctx.fetch(url, {
        method: request.method,
        headers,
        body: body || undefined,
      })
    } catch (error) {
      // Egress refusals and typed errors from the host pass through; anything else is a network fault.
      if (error instanceof Error && typeof (error as { code?: unknown }).code === 'string')
        throw error
      throw new RetryableError(`Fleet API unreachable: ${(error as Error).message}`, {
        code: 'network_error',
      })
    }
    return parseEnvelope<T>(response.status, await response.text())
  }
}
