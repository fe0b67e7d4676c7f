/**
 * Thin HTTP for Meituan Peisong: add appkey/timestamp/version and the signature to
 * a call's parameters, POST them as a form through the host's fetch, unwrap the answer.
 */
import { RetryableError, type PluginContext } from '../../sdk/index.js'
import { parseEnvelope, type MeituanCall, type MeituanConfig } from './mapper.js'
import { signedForm } from './signature.js'

export class MeituanClient {
  readonly #ctx: PluginContext<MeituanConfig>

  constructor(ctx: PluginContext<MeituanConfig>) {
    this.#ctx = ctx
  }

  async send<T>(call: MeituanCall): Promise<T> {
    const { config, clock } = this.#ctx
    const form = signedForm(call.params, config, Math.floor(clock.now().getTime() / 1000))
    const url = config.baseUrl.replace(/\/+$/, '') + call.path
    let response
    try {
      response = await this.#ctx.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
        body: new URLSearchParams(form).toString(),
      })
    } catch (error) {
      // Egress refusals and the host's typed errors pass through; anything else is a network fault.
      if (error instanceof Error && typeof (error as { code?: unknown }).code === 'string')
        throw error
      throw new RetryableError(`Meituan unreachable: ${(error as Error).message}`, {
        code: 'network_error',
      })
    }
    return parseEnvelope<T>(response.status, await response.text())
  }
}
