/**
 * Thin HTTP for Fengniao v3: keep the account's access_token (fetched once with the
 * merchant's code, valid 365 days), sign each call's envelope, POST JSON through the
 * host's fetch and unwrap the answer. Shapes live in mapper.ts.
 */
import { RetryableError, type PluginContext } from '../../sdk/index.js'
import {
  buildTokenFields,
  parseEnvelope,
  parseToken,
  type FengniaoCall,
  type FengniaoConfig,
} from './mapper.js'
import { signed } from './signature.js'
import { API_VERSION, ERROR_CODES } from './units.js'

/** Renew this long before the token runs out. */
const TOKEN_MARGIN_MS = 60_000

export class FengniaoClient {
  readonly #ctx: PluginContext<FengniaoConfig>
  #token: Promise<{ accessToken: string; expiresAtMs: number }> | null = null

  constructor(ctx: PluginContext<FengniaoConfig>) {
    this.#ctx = ctx
  }

  /** A refused token is dropped and fetched again once (unless the account pins one). */
  async send<T>(call: FengniaoCall): Promise<T> {
    try {
      return await this.#invoke<T>(call)
    } catch (error) {
      const refused = (error as { code?: unknown }).code === ERROR_CODES.tokenInvalid
      if (!refused || this.#ctx.config.accessToken) throw error
      this.#token = null
      return this.#invoke<T>(call)
    }
  }

  async #invoke<T>(call: FengniaoCall): Promise<T> {
    const { config, clock } = this.#ctx
    const fields = {
      app_id: config.appId,
      merchant_id: config.merchantId,
      timestamp: String(clock.now().getTime()),
      version: API_VERSION,
      access_token: await this.#accessToken(),
      business_data: JSON.stringify(call.business),
    }
    return this.#post<T>(call.path, signed(fields, config.appSecret))
  }

  async #accessToken(): Promise<string> {
    const { config, clock } = this.#ctx
    if (config.accessToken) return config.accessToken
    const nowMs = clock.now().getTime()
    const cached = this.#token && (await this.#token.catch(() => null))
    if (cached && cached.expiresAtMs - TOKEN_MARGIN_MS > nowMs) return cached.accessToken
    this.#token = this.#post<{ access_token?: string; expire_in?: number }>(
      '/openapi/token',
      signed(buildTokenFields(config, nowMs), config.appSecret)
    ).then((business) => parseToken(business, clock.now()))
    const token = await this.#token
    return token.accessToken
  }

  async #post<T>(path: string, body: Record<string, string>): Promise<T> {
    const url = this.#ctx.config.baseUrl.replace(/\/+$/, '') + path
    let response
    try {
      response = await this.#ctx.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    } catch (error) {
      // Egress refusals and the host's typed errors pass through; anything else is a network fault.
      if (error instanceof Error && typeof (error as { code?: unknown }).code === 'string')
        throw error
      throw new RetryableError(`Fengniao unreachable: ${(error as Error).message}`, {
        code: 'network_error',
      })
    }
    return parseEnvelope<T>(response.status, await response.text())
  }
}
