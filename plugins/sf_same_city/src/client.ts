/**
 * Thin HTTP for SF Same-city: serialise the body once, sign that exact text, send it
 * through the host's fetch and unwrap the envelope. Shapes live in mapper.ts.
 */
import { RetryableError, type PluginContext } from '../../sdk/index.js'
import { parseEnvelope, sign, type SfConfig, type SfRequest } from './mapper.js'
import { toUnixSeconds } from './units.js'

export class SfClient {
  readonly #ctx: PluginContext<SfConfig>

  constructor(ctx: PluginContext<SfConfig>) {
    this.#ctx = ctx
  }

  /** SF's push_time: the request's unix second, also the base of quote ETAs. */
  pushTime(): number {
    return toUnixSeconds(this.#ctx.clock.now())
  }

  async send<T>(request: SfRequest): Promise<T> {
    const { config } = this.#ctx
    const body = JSON.stringify(request.body)
    // The base64 signature ends in "=" padding, so it is URL-encoded in the query.
    const signature = encodeURIComponent(sign(body, config.devId, config.devKey))
    const url = `${config.baseUrl.replace(/\/+$/, '')}/open/api/external/${request.call}?sign=${signature}`
    let response
    try {
      response = await this.#ctx.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'accept': 'application/json' },
        body,
      })
    } catch (error) {
      // Egress refusals and typed errors from the host pass through; anything else is a network fault.
      if (error instanceof Error && typeof (error as { code?: unknown }).code === 'string')
        throw error
      throw new RetryableError(`SF unreachable: ${(error as Error).message}`, {
        code: 'network_error',
      })
    }
    return parseEnvelope<T>(response.status, await response.text())
  }
}
