/**
 * Thin HTTP for UU Paotui: add the common parameters, sign, form-POST through the
 * host's fetch and check `return_code`. Shapes live in mapper.ts.
 */
import { RetryableError, type PluginContext } from '../../sdk/index.js'
import { parseAnswer, signedForm, type UuConfig, type UuRequest } from './mapper.js'
import { toUnixSeconds } from './units.js'

export class UuClient {
  readonly #ctx: PluginContext<UuConfig>

  constructor(ctx: PluginContext<UuConfig>) {
    this.#ctx = ctx
  }

  async send<T>(request: UuRequest): Promise<T> {
    const { config, clock, random } = this.#ctx
    const form = signedForm(config, request.params, random.nonce(32), toUnixSeconds(clock.now()))
    const url = `${config.baseUrl.replace(/\/+$/, '')}/v2_0/${request.call}.ashx`
    let response
    try {
      response = await this.#ctx.fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'accept': 'application/json',
        },
        body: new URLSearchParams(form).toString(),
      })
    } catch (error) {
      // Egress refusals and typed errors from the host pass through; anything else is a network fault.
      if (error instanceof Error && typeof (error as { code?: unknown }).code === 'string')
        throw error
      throw new RetryableError(`UU unreachable: ${(error as Error).message}`, {
        code: 'network_error',
      })
    }
    return parseAnswer<T>(response.status, await response.text())
  }
}
