/**
 * Thin HTTP for Shansong: serialise `data` once, sign it with the system parameters,
 * form-POST through the host's fetch and unwrap the envelope. Shapes live in mapper.ts.
 */
import { RetryableError, type PluginContext } from '../../sdk/index.js'
import { formBody, parseEnvelope, type ShansongConfig, type ShansongRequest } from './mapper.js'

export class ShansongClient {
  readonly #ctx: PluginContext<ShansongConfig>

  constructor(ctx: PluginContext<ShansongConfig>) {
    this.#ctx = ctx
  }

  async send<T>(request: ShansongRequest): Promise<T> {
    const { config, clock } = this.#ctx
    const data = JSON.stringify(request.data)
    const body = formBody(config, data, clock.now().getTime())
    const url = `${config.baseUrl.replace(/\/+$/, '')}/openapi/merchants/v5/${request.call}`
    let response
    try {
      response = await this.#ctx.fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'accept': 'application/json',
        },
        body,
      })
    } catch (error) {
      // Egress refusals and typed errors from the host pass through; anything else is a network fault.
      if (error instanceof Error && typeof (error as { code?: unknown }).code === 'string')
        throw error
      throw new RetryableError(`Shansong unreachable: ${(error as Error).message}`, {
        code: 'network_error',
      })
    }
    return parseEnvelope<T>(response.status, await response.text())
  }
}
