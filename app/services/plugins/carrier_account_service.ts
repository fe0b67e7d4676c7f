/**
 * Carrier accounts: CRUD for the console, and the two functions the dispatch
 * pipeline uses to talk to a carrier, resolveAccount() and callCarrier(). Secret
 * settings are encrypted here and only decrypted on their way into a plugin call.
 */
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type { HubOrder } from '#sdk/contract'
import type { CarrierMethodName, Manifest } from '#sdk/manifest'
import { secretFields } from '#sdk/packaging/manifest_validator'
import { CarrierError } from '#sdk/errors'
import type { CallOptions, MethodArgs, MethodResult } from '#carriers/plugin_host'
import type { CallAccount } from '#carriers/worker_protocol'
import { PluginNode } from '#carriers/registry/plugin_node'
import { CarrierAccountError } from '#carriers/registry/account_errors'
import {
  configErrors,
  decryptSecrets,
  encryptSecrets,
  splitSecrets,
  storedSecretNames,
  type ConfigValues,
} from '#carriers/registry/account_config'
import type { BreakerSnapshot } from '#carriers/circuit_breaker'
import CarrierAccount from '#models/carrier_account'
import InstalledPlugin from '#models/installed_plugin'
import PluginPackage, { PACKAGE_SUMMARY_COLUMNS } from '#models/plugin_package'
import Merchant from '#models/merchant'
import Store from '#models/store'
import ProblemException, { type FieldError } from '#exceptions/problem'
import { keysetPage, type PageInput } from '#services/keyset_pagination'
import type { ChangeSet } from '#services/audit_changes'
import { forgetResolvedAccount } from '#services/plugins/resolved_account_cache'

export interface AccountInput {
  plugin_id: string
  name: string
  merchant_id?: number | null
  store_id?: number | null
  city?: string | null
  enabled?: boolean
  config: ConfigValues
}

export type AccountPatch = Partial<Omit<AccountInput, 'plugin_id'>>

/** What the console sees of an account: never a secret value, only whether it is set. */
export interface AccountView {
  account: CarrierAccount
  secretFields: string[]
  setSecrets: string[]
  /** This node's breaker for the account, if it made calls here. */
  health: BreakerSnapshot | null
}

/** What a plugin call needs: which plugin, and the account with its full config. */
export interface ResolvedAccount {
  pluginId: string
  /** The plugin's revision when this was read; a newer one may disable or change it. */
  pluginRevision: number
  manifest: Manifest
  account: CallAccount
}

/*
 * Manifests by package id: packages are immutable, so a cached copy never goes stale.
 */
const manifests = new Map<number, Manifest>()

async function manifestOf(plugin: InstalledPlugin): Promise<Manifest> {
  let manifest = manifests.get(plugin.packageId)
  if (!manifest) {
    const row = await PluginPackage.query()
      .select(...PACKAGE_SUMMARY_COLUMNS)
      .where('id', plugin.packageId)
      .firstOrFail()
    manifest = row.manifest
    manifests.set(plugin.packageId, manifest)
  }
  return manifest
}

async function localNode() {
  return app.container.make(PluginNode)
}

async function view(account: CarrierAccount, manifest?: Manifest): Promise<AccountView> {
  const resolved =
    manifest ??
    (await manifestOf(await InstalledPlugin.findByOrFail('plugin_id', account.pluginId)))
  const node = await localNode()
  return {
    account,
    secretFields: secretFields(resolved),
    setSecrets: storedSecretNames(account.secrets),
    health: node.host.health(account.pluginId, String(account.id)) ?? null,
  }
}

/* ------------------------------------------------------------------ reads */

export async function listAccounts(
  scope: number | null,
  filters: PageInput & { plugin_id?: string; merchant_id?: number }
) {
  const query = CarrierAccount.query().whereNull('deleted_at')
  if (scope !== null) query.where('merchant_id', scope)
  if (filters.plugin_id) query.where('plugin_id', filters.plugin_id)
  if (filters.merchant_id) query.where('merchant_id', filters.merchant_id)
  const page = await keysetPage(query, 'carrier_account', filters)
  // One manifest per plugin on the page, not one lookup per account.
  const pluginIds = [...new Set(page.rows.map((account) => account.pluginId))]
  const plugins = pluginIds.length
    ? await InstalledPlugin.query().whereIn('plugin_id', pluginIds)
    : []
  const manifestsById = new Map(
    await Promise.all(
      plugins.map(async (plugin) => [plugin.pluginId, await manifestOf(plugin)] as const)
    )
  )
  const views = await Promise.all(
    page.rows.map((account) => view(account, manifestsById.get(account.pluginId)))
  )
  return { ...page, rows: views }
}

/** Deleted accounts and other merchants' accounts read as "not found". */
export async function findAccount(scope: number | null, id: number) {
  const query = CarrierAccount.query().where('id', id).whereNull('deleted_at')
  if (scope !== null) query.where('merchant_id', scope)
  const account = await query.first()
  if (!account) throw ProblemException.notFound(`Carrier account ${id}`)
  return account
}

export async function findAccountView(scope: number | null, id: number) {
  return view(await findAccount(scope, id))
}

/* ----------------------------------------------------------------- writes */

async function installedPluginFor(pluginId: string) {
  const plugin = await InstalledPlugin.findBy('plugin_id', pluginId)
  if (!plugin || !plugin.isInstalled) {
    throw ProblemException.invalid([
      {
        pointer: '/plugin_id',
        rule: 'exists',
        message: `"${pluginId}" is not an installed plugin`,
      },
    ])
  }
  return { plugin, manifest: await manifestOf(plugin) }
}

/**
 * The merchant and store must exist, and a store belongs to the account's merchant
 * (taken from the store when only the store is given).
 */
async function ownership(merchantId: number | null, storeId: number | null) {
  const errors: FieldError[] = []
  if (merchantId !== null && !(await Merchant.find(merchantId))) {
    errors.push({ pointer: '/merchant_id', rule: 'exists', message: 'no such merchant' })
  }
  let merchant = merchantId
  if (storeId !== null) {
    const store = await Store.find(storeId)
    if (!store) {
      errors.push({ pointer: '/store_id', rule: 'exists', message: 'no such store' })
    } else if (merchant === null) {
      merchant = store.merchantId
    } else if (store.merchantId !== merchant) {
      errors.push({
        pointer: '/store_id',
        rule: 'sameMerchant',
        message: 'belongs to another merchant than merchant_id',
      })
    }
  }
  if (errors.length) throw ProblemException.invalid(errors)
  return { merchantId: merchant, storeId }
}

function assertValidConfig(manifest: Manifest, values: ConfigValues) {
  const errors = configErrors(manifest, values)
  if (errors.length) {
    throw ProblemException.invalid(
      errors,
      `The config does not match the settings of ${manifest.id}@${manifest.version}`
    )
  }
}

export async function createAccount(input: AccountInput): Promise<AccountView> {
  const { manifest } = await installedPluginFor(input.plugin_id)
  const owner = await ownership(input.merchant_id ?? null, input.store_id ?? null)
  const values = structuredClone(input.config)
  assertValidConfig(manifest, values)
  const { plain, secret } = splitSecrets(manifest, values)

  const account = await db.transaction(async (trx) => {
    const created = await CarrierAccount.create(
      {
        pluginId: input.plugin_id,
        name: input.name,
        merchantId: owner.merchantId,
        storeId: owner.storeId,
        city: input.city ?? null,
        enabled: input.enabled ?? true,
        config: plain,
        secrets: null,
      },
      { client: trx }
    )
    // The ciphertext is bound to the row id, which only exists after the insert.
    created.secrets = encryptSecrets(created.id, secret)
    await created.useTransaction(trx).save()
    return created
  })
  return view(account, manifest)
}

/**
 * Merge-patch semantics for `config`: fields given replace, `null` removes, fields
 * left out (secrets included) keep their value. The merged whole is validated again.
 */
export async function updateAccount(
  account: CarrierAccount,
  patch: AccountPatch
): Promise<{ view: AccountView; changes: ChangeSet }> {
  const { manifest } = await installedPluginFor(account.pluginId)
  const changes: ChangeSet = {}

  if (patch.merchant_id !== undefined || patch.store_id !== undefined) {
    const owner = await ownership(
      patch.merchant_id !== undefined ? patch.merchant_id : account.merchantId,
      patch.store_id !== undefined ? patch.store_id : account.storeId
    )
    account.merge(owner)
  }
  for (const [field, value] of Object.entries({
    name: patch.name,
    city: patch.city,
    enabled: patch.enabled,
  })) {
    if (value !== undefined) account.merge({ [field]: value })
  }

  let secrets = account.secrets
  if (patch.config) {
    const current = decryptSecrets(account.id, account.secrets)
    const values: ConfigValues = { ...account.config, ...current.values }
    for (const [field, value] of Object.entries(patch.config)) {
      if (value === null) delete values[field]
      else values[field] = value
    }
    assertValidConfig(manifest, values)
    const { plain, secret } = splitSecrets(manifest, values)
    const before = new Set(secretFields(manifest))
    for (const field of Object.keys(patch.config)) {
      // Secrets are only reported as changed, never with their values.
      if (before.has(field)) changes[`config.${field}`] = true
    }
    account.config = plain
    secrets = encryptSecrets(account.id, secret)
  }

  for (const [key, to] of Object.entries(account.$dirty)) {
    if (key === 'config') {
      const from = (account.$original.config ?? {}) as ConfigValues
      for (const field of new Set([...Object.keys(from), ...Object.keys(to as ConfigValues)])) {
        const a = from[field]
        const b = (to as ConfigValues)[field]
        if (JSON.stringify(a) !== JSON.stringify(b)) {
          changes[`config.${field}`] = { from: a ?? null, to: b ?? null }
        }
      }
    } else {
      changes[key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = {
        from: account.$original[key] ?? null,
        to: to ?? null,
      }
    }
  }
  account.secrets = secrets
  await account.save()
  // Quotes and callbacks in this process use the new settings from the next call on.
  forgetResolvedAccount(account.id)
  return { view: await view(account, manifest), changes }
}

/** Soft delete: webhook events and order history keep pointing at the row. */
export async function deleteAccount(account: CarrierAccount) {
  account.merge({ deletedAt: DateTime.utc(), enabled: false })
  await account.save()
  forgetResolvedAccount(account.id)
  const node = await localNode()
  node.host.resetBreaker(account.pluginId, String(account.id))
}

/* --------------------------------------------------------- carrier calls */

/**
 * Everything needed to call the carrier for `accountId`: the plugin id and the
 * account with its settings decrypted, defaults filled in, and validated against
 * the active plugin version. Throws CarrierAccountError (never a fault of the
 * carrier) when the account or plugin cannot be used. Hot paths (quotes, callbacks)
 * go through resolved_account_cache instead of calling this each time.
 */
export async function resolveAccount(
  accountId: number,
  options: { allowDisabled?: boolean } = {}
): Promise<ResolvedAccount> {
  const account = await CarrierAccount.query()
    .where('id', accountId)
    .whereNull('deleted_at')
    .first()
  if (!account) {
    throw new CarrierAccountError(
      `Carrier account ${accountId} does not exist`,
      'account_not_found'
    )
  }
  if (!account.enabled && !options.allowDisabled) {
    throw new CarrierAccountError(`Carrier account ${accountId} is disabled`, 'account_disabled')
  }
  const plugin = await InstalledPlugin.findByOrFail('plugin_id', account.pluginId)
  if (!plugin.isInstalled) {
    throw new CarrierAccountError(
      `Plugin "${plugin.pluginId}" of carrier account ${accountId} is uninstalled`,
      'plugin_uninstalled'
    )
  }
  if (!plugin.enabled) {
    throw new CarrierAccountError(
      `Plugin "${plugin.pluginId}" of carrier account ${accountId} is disabled`,
      'plugin_disabled'
    )
  }
  const manifest = await manifestOf(plugin)
  const secrets = decryptSecrets(account.id, account.secrets)
  if (secrets.unreadable.length) {
    throw new CarrierAccountError(
      `Secrets of carrier account ${accountId} cannot be decrypted (${secrets.unreadable.join(', ')}); was APP_KEY changed? Enter them again`,
      'account_secrets_unreadable'
    )
  }
  const config: ConfigValues = { ...structuredClone(account.config), ...secrets.values }
  const errors = configErrors(manifest, config)
  if (errors.length) {
    throw new CarrierAccountError(
      `Carrier account ${accountId} does not match the settings of ${manifest.id}@${manifest.version}: ${errors.map((e) => `${e.pointer} ${e.message}`).join('; ')}`,
      'account_config_invalid',
      { details: { errors } }
    )
  }
  return {
    pluginId: plugin.pluginId,
    pluginRevision: plugin.revision,
    manifest,
    account: { id: String(account.id), config },
  }
}

/** Calls one plugin method for one account through this node's plugin host. */
export async function callCarrier<M extends CarrierMethodName>(
  accountId: number,
  method: M,
  args: MethodArgs<M>,
  options: Omit<CallOptions, 'account'> = {}
): Promise<MethodResult<M>> {
  const { pluginId, account } = await resolveAccount(accountId)
  const node = await localNode()
  return node.host.call(pluginId, method, args, { ...options, account })
}

/** A realistic order for connection tests: a short trip inside Beijing's Chaoyang district. */
export const SAMPLE_TEST_ORDER: HubOrder = {
  id: 'connection-test',
  external_id: 'connection-test',
  store: {
    name: '连接测试门店',
    address: '北京市朝阳区建国路88号',
    city: '北京',
    lat: 39.9087,
    lng: 116.4605,
    contact_name: '测试',
    contact_phone: '13800000000',
  },
  recipient: {
    name: '测试收件人',
    phone: '13900000000',
    address: '北京市朝阳区光华路9号',
    city: '北京',
    lat: 39.915,
    lng: 116.455,
  },
  items_summary: '连接测试',
  item_count: 1,
  weight_g: 1000,
  declared_value_fen: 1000,
  category: 'food',
  notes: '',
  tip_fen: 0,
}

export interface ConnectionTestResult {
  ok: boolean
  latency_ms: number
  quote: MethodResult<'quote'> | null
  error: { name: string; code: string; message: string; carrier_message: string | null } | null
}

/**
 * Asks the carrier for a quote with a sample order: proves the plugin runs, the
 * credentials work and the carrier answers. Works on disabled accounts too, so an
 * admin can check one before switching it on.
 */
export async function testAccount(account: CarrierAccount): Promise<ConnectionTestResult> {
  const started = performance.now()
  let result: Omit<ConnectionTestResult, 'latency_ms'>
  try {
    const { pluginId, account: callAccount } = await resolveAccount(account.id, {
      allowDisabled: true,
    })
    const node = await localNode()
    const quote = await node.host.call(pluginId, 'quote', [SAMPLE_TEST_ORDER], {
      account: callAccount,
    })
    result = { ok: true, quote, error: null }
  } catch (error) {
    if (!(error instanceof CarrierError)) throw error
    result = {
      ok: false,
      quote: null,
      error: {
        name: error.name,
        code: error.code,
        message: error.message,
        carrier_message: error.carrierMessage ?? null,
      },
    }
  }
  const latency = Math.round(performance.now() - started)
  account.merge({
    lastTestAt: DateTime.utc(),
    lastTestOk: result.ok,
    lastTestLatencyMs: latency,
    lastTestError: result.error ? result.error.message.slice(0, 500) : null,
  })
  await account.save()
  return { ...result, latency_ms: latency }
}
