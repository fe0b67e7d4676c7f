/**
 * Thin HTTP for Dada: wrap the business parameters in the signed envelope, POST it
 * through the host's fetch and unwrap the answer. Shapes live in mapper.ts.
 */
import { RetryableError, type PluginContext } from '../../sdk/index.js'
import { parseEnvelope, type DadaCall, type DadaConfig } from './mapper.js'
import { buildEnvelope } from './signature.js'

export class DadaClient {
  readonly #ctx: PluginContext<DadaConfig>

  constructor(ctx: PluginContext<DadaConfig>) {
    this.#ctx = ctx
  }

  async send<T>(call: DadaCall): Promise<T> {
    const { config, clock } = this.#ctx
    const timestamp = Math.floor(clock.now().getTime() / 1000)
    const envelope = buildEnvelope(config, JSON.stringify(call.body), timestamp)
    const url = config.baseUrl.replace(/\/+$/, '') + call.path
    let response
    try {
      response = await this.#ctx.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(envelope),
      })
    } catch (error) {
      // Egress refusals and the host's typed errors pass through; anything else is a network fault.
      if (error instanceof Error && typeof (error as { code?: unknown }).code === 'string')
        throw error
      throw new RetryableError(`Dada unreachable: ${(error as Error).message}`, {
        code: 'network_error',
      })
    }
    return parseEnvelope<T>(response.status, await response.text())
  }
}
