import db from '@adonisjs/lucid/services/db'
import type { CarrierOrderRef, HubOrder, QuoteResult } from '#sdk/contract'
import type { CarrierMethodName } from '#sdk/manifest'
import type { MethodArgs, MethodResult } from '#carriers/plugin_host'
import type { PluginNode } from '#carriers/registry/plugin_node'
import { cachedAccount } from '#services/plugins/resolved_account_cache'
import type { CarrierAccountRef, CarrierGateway } from '#dispatch/pipeline/ports'
import type { Vehicle } from '#dispatch/types'

/**
 * The dispatcher's view of the carriers: installed plugins run by this process's
 * plugin host, reached through their accounts.
 */
export class PluginCarrierGateway implements CarrierGateway {
  constructor(private node: () => Promise<PluginNode>) {}

  async eligibleAccounts(scope: {
    merchantId: number
    storeId: number
    city: string
  }): Promise<CarrierAccountRef[]> {
    const rows = await db
      .from('carrier_accounts')
      .join('installed_plugins', 'installed_plugins.plugin_id', 'carrier_accounts.plugin_id')
      .join('plugin_packages', 'plugin_packages.id', 'installed_plugins.package_id')
      .whereNull('carrier_accounts.deleted_at')
      .where('carrier_accounts.enabled', true)
      .where('installed_plugins.enabled', true)
      .whereNull('installed_plugins.uninstalled_at')
      .where((q) =>
        q
          .whereNull('carrier_accounts.merchant_id')
          .orWhere('carrier_accounts.merchant_id', scope.merchantId)
      )
      .where((q) =>
        q.whereNull('carrier_accounts.store_id').orWhere('carrier_accounts.store_id', scope.storeId)
      )
      .where((q) =>
        q.whereNull('carrier_accounts.city').orWhere('carrier_accounts.city', scope.city)
      )
      .select(
        'carrier_accounts.id',
        'carrier_accounts.plugin_id',
        'carrier_accounts.vehicle',
        'carrier_accounts.licensed_medicine',
        'carrier_accounts.services',
        'plugin_packages.manifest'
      )
      .orderBy('carrier_accounts.id')
    return rows
      .map((row) => {
        const manifest = typeof row.manifest === 'string' ? JSON.parse(row.manifest) : row.manifest
        const services: string[] = row.services ? JSON.parse(row.services) : []
        return {
          accountId: Number(row.id),
          pluginId: row.plugin_id as string,
          capabilities: [...(manifest.capabilities as string[]), ...services],
          vehicle: (row.vehicle ?? 'ebike') as Vehicle,
          licensedMedicine: Boolean(row.licensed_medicine),
        }
      })
      .filter(
        (account) =>
          account.capabilities.includes('quote') && account.capabilities.includes('create')
      )
  }

  quote(accountId: number, order: HubOrder) {
    return this.#call(accountId, 'quote', [order] as MethodArgs<'quote'>)
  }

  create(accountId: number, order: HubOrder, quote: QuoteResult, idempotencyKey: string) {
    return this.#call(accountId, 'create', [order, quote, idempotencyKey] as MethodArgs<'create'>)
  }

  preCancel(accountId: number, ref: CarrierOrderRef) {
    return this.#call(accountId, 'preCancel', [ref] as MethodArgs<'preCancel'>)
  }

  cancel(accountId: number, ref: CarrierOrderRef, reason: string) {
    return this.#call(accountId, 'cancel', [ref, reason] as MethodArgs<'cancel'>)
  }

  async addTip(accountId: number, ref: CarrierOrderRef, amountFen: number) {
    await this.#call(accountId, 'addTip', [ref, amountFen] as MethodArgs<'addTip'>)
  }

  track(accountId: number, ref: CarrierOrderRef) {
    return this.#call(accountId, 'track', [ref] as MethodArgs<'track'>)
  }

  async #call<M extends CarrierMethodName>(
    accountId: number,
    method: M,
    args: MethodArgs<M>
  ): Promise<MethodResult<M>> {
    const node = await this.node()
    // Resolving reads three tables and decrypts secrets; a batch quotes the same few
    // accounts thousands of times a minute, so recent lookups are reused.
    const { pluginId, account } = await cachedAccount(node, accountId)
    return node.host.call(pluginId, method, args, { account })
  }
}
