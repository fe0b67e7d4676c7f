/**
 * Connects a hub to a running carrier sandbox: for every carrier and store, a
 * sandbox account (the carrier's registered shop at the store's location, like
 * registering each store with each carrier for real) and a hub carrier account
 * whose settings point the plugin at the sandbox, with the sandbox told to send
 * status callbacks to the hub's webhook URL for that account.
 *
 * Used by the demo command and by tests that dispatch end to end.
 */
import type Store from '#models/store'

type Credentials = Record<string, string>

interface CarrierWiring {
  /** Sandbox credentials for one store, from the emulator's default account. */
  sandboxCredentials(defaults: Credentials, store: Store): Credentials
  /** The hub account settings (the plugin's configSchema fields). */
  hubConfig(
    accountKey: string,
    credentials: Credentials,
    baseUrl: string,
    callbackUrl: string
  ): Record<string, unknown>
}

const shopAt = (defaults: Credentials, store: Store): Credentials => ({
  ...defaults,
  city: store.city,
  shop_lat: String(store.lat),
  shop_lng: String(store.lng),
})

/** Per carrier: which sandbox credential becomes which plugin setting. */
export const CARRIER_WIRING: Record<string, CarrierWiring> = {
  sf_same_city: {
    sandboxCredentials: (defaults, store) => ({
      ...shopAt(defaults, store),
      shop_id: `${defaults.shop_id}-${store.id}`,
    }),
    hubConfig: (key, c, baseUrl) => ({
      baseUrl,
      devId: key,
      devKey: c.dev_key,
      shopId: c.shop_id,
    }),
  },
  shansong: {
    // Shansong takes the pickup address with each order: no shop location to register.
    sandboxCredentials: (defaults) => ({ ...defaults }),
    hubConfig: (key, c, baseUrl) => ({
      baseUrl,
      clientId: key,
      shopId: c.shop_id,
      appSecret: c.app_secret,
    }),
  },
  uu: {
    sandboxCredentials: (defaults) => ({ ...defaults }),
    hubConfig: (key, c, baseUrl, callbackUrl) => ({
      baseUrl,
      appId: key,
      appKey: c.app_key,
      openId: c.openid,
      callbackUrl,
    }),
  },
  own_fleet: {
    sandboxCredentials: (defaults, store) => ({
      ...defaults,
      apiKey: `${defaults.apiKey}-store-${store.id}`,
    }),
    hubConfig: (_key, c, baseUrl) => ({
      baseUrl,
      fleetId: c.fleetId,
      apiKey: c.apiKey,
      apiSecret: c.apiSecret,
    }),
  },
  dada: {
    sandboxCredentials: (defaults, store) => ({
      ...shopAt(defaults, store),
      shop_no: `${defaults.shop_no}${store.id}`,
    }),
    hubConfig: (key, c, baseUrl, callbackUrl) => ({
      baseUrl,
      appKey: key,
      appSecret: c.app_secret,
      sourceId: c.source_id,
      shopNo: c.shop_no,
      cityCode: c.city_code,
      callbackUrl,
    }),
  },
  meituan: {
    sandboxCredentials: (defaults, store) => ({
      ...shopAt(defaults, store),
      shop_id: `${defaults.shop_id}_${store.id}`,
    }),
    hubConfig: (key, c, baseUrl) => ({
      baseUrl,
      appKey: key,
      appSecret: c.secret,
      shopId: c.shop_id,
    }),
  },
  fengniao: {
    sandboxCredentials: (defaults, store) => ({
      ...shopAt(defaults, store),
      chain_store_id: `${defaults.chain_store_id}${store.id}`,
    }),
    hubConfig: (key, c, baseUrl) => ({
      baseUrl,
      appId: key,
      appSecret: c.app_secret,
      merchantId: c.merchant_id,
      chainStoreId: c.chain_store_id,
    }),
  },
}

export interface SandboxLink {
  carrier: string
  storeId: number
  hubAccountId: number
  sandboxAccountKey: string
}

/**
 * The sandbox account a store's hub account talks to: one per carrier and store, named
 * after the carrier's default account (own fleet: its API key; SF: digits only, as
 * SF's dev_id is numeric).
 */
export function sandboxAccountKey(
  carrier: string,
  baseAccountKey: string,
  credentials: Credentials,
  storeId: number
): string {
  if (carrier === 'own_fleet') return credentials.apiKey
  if (carrier === 'sf_same_city') return `${baseAccountKey}${String(storeId).padStart(4, '0')}`
  return `${baseAccountKey}-store-${storeId}`
}

/**
 * Creates (or refreshes) the sandbox and hub accounts for these stores. The
 * sandbox's default account per carrier is read from its control API, so the
 * wiring follows whatever credentials the emulators declare.
 */
export async function wireSandbox(options: {
  sandboxUrl: string
  hubUrl: string
  stores: Store[]
  merchantId: number
  carriers?: string[]
}): Promise<SandboxLink[]> {
  const { createAccount, updateAccount } = await import('#services/plugins/carrier_account_service')
  const { default: CarrierAccount } = await import('#models/carrier_account')
  const response = await fetch(`${options.sandboxUrl}/_control/accounts`)
  const listing = (await response.json()) as any
  const defaults = sandboxDefaults(listing)
  const links: SandboxLink[] = []

  for (const [carrier, wiring] of Object.entries(CARRIER_WIRING)) {
    if (options.carriers && !options.carriers.includes(carrier)) continue
    const base = defaults.get(carrier)
    if (!base) continue
    for (const store of options.stores) {
      const credentials = wiring.sandboxCredentials(base.credentials, store)
      const accountKey = sandboxAccountKey(carrier, base.accountKey, credentials, store.id)
      const name = `${carrier} sandbox (${store.code})`
      const existing = await CarrierAccount.query()
        .where({ plugin_id: carrier, store_id: store.id, name })
        .whereNull('deleted_at')
        .first()
      const baseUrl = `${options.sandboxUrl}/${carrier}`
      // The callback URL names the hub account, which needs an id first.
      let account = existing
      if (!account) {
        const created = await createAccount({
          plugin_id: carrier,
          name,
          merchant_id: options.merchantId,
          store_id: store.id,
          config: wiring.hubConfig(
            accountKey,
            credentials,
            baseUrl,
            `${options.hubUrl}/api/v1/webhooks/0`
          ),
        })
        account = created.account
      }
      const callbackUrl = `${options.hubUrl}/api/v1/webhooks/${account.id}`
      await updateAccount(account, {
        config: wiring.hubConfig(accountKey, credentials, baseUrl, callbackUrl),
      })
      const accountId = account.id
      await putJson(
        `${options.sandboxUrl}/_control/accounts/${carrier}/${encodeURIComponent(accountKey)}`,
        {
          credentials,
          callbackUrl,
        }
      )
      links.push({
        carrier,
        storeId: store.id,
        hubAccountId: accountId,
        sandboxAccountKey: accountKey,
      })
    }
  }
  return links
}

function sandboxDefaults(
  listing: any
): Map<string, { accountKey: string; credentials: Credentials }> {
  const rows: any[] = Array.isArray(listing) ? listing : (listing.data ?? listing.accounts ?? [])
  const defaults = new Map<string, { accountKey: string; credentials: Credentials }>()
  for (const row of rows) {
    if (!defaults.has(row.carrier)) {
      defaults.set(row.carrier, { accountKey: row.accountKey, credentials: row.credentials ?? {} })
    }
  }
  return defaults
}

async function putJson(url: string, body: unknown) {
  const response = await fetch(url, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (!response.ok)
    throw new Error(`Sandbox refused ${url}: ${response.status} ${await response.text()}`)
}
