import { BaseTransformer } from '@adonisjs/core/transformers'
import type { AccountView } from '#services/plugins/carrier_account_service'

/**
 * An account as the console shows it. Secret settings appear only as
 * `{ "set": true | false }`: their values never leave the server.
 */
export default class CarrierAccountTransformer extends BaseTransformer<AccountView> {
  toObject() {
    const { account: a, secretFields, setSecrets, health } = this.resource
    return {
      id: a.id,
      plugin_id: a.pluginId,
      name: a.name,
      merchant_id: a.merchantId,
      store_id: a.storeId,
      city: a.city,
      enabled: a.enabled,
      // Defence in depth: a field a newer plugin version marks secret is hidden too.
      config: Object.fromEntries(
        Object.entries(a.config).filter(([field]) => !secretFields.includes(field))
      ),
      secrets: Object.fromEntries(
        secretFields.map((field) => [field, { set: setSecrets.includes(field) }])
      ),
      health: health
        ? {
            state: health.state,
            healthy: health.healthy,
            consecutive_failures: health.consecutiveFailures,
            last_failure: health.lastFailure,
            retry_at: health.retryAt,
          }
        : null,
      last_test: a.lastTestAt
        ? {
            at: a.lastTestAt.toISO(),
            ok: a.lastTestOk,
            latency_ms: a.lastTestLatencyMs,
            error: a.lastTestError,
          }
        : null,
      created_at: a.createdAt.toISO(),
      updated_at: a.updatedAt.toISO(),
    }
  }
}
