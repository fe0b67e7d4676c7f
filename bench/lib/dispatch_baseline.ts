/*
 * The no-hub baseline of the dispatch bench: the same orders sent straight to the
 * carrier sandbox, doing per order what the hub's dispatcher does on the wire
 * (quote every carrier account of the store in parallel, create the delivery at
 * the cheapest) and nothing else: no database, no queue, no rules, no worker
 * isolation.
 *
 * The wire traffic is the carriers' own: the shipped plugins' bundles
 * (plugins/<id>/dist/index.js, the code the hub loads into its plugin workers) run
 * in this process with a context whose fetch goes straight to the sandbox (through
 * the hub's own HTTP client, without the worker boundary), with the
 * account settings hub_wiring.ts gives the hub. So the requests, signatures and
 * parsing are exactly the hub's, and the difference to a hub phase is the hub.
 *
 * The sandbox's status callbacks go to a receiver here that answers 200, so the
 * sandbox does the same callback work as in the hub phases.
 */
import { createServer, type Server } from 'node:http'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { randomInt } from 'node:crypto'
import { Ajv } from 'ajv'
import ajvFormats from 'ajv-formats'
import type {
  CarrierMethods,
  HostFetch,
  HostFetchResponse,
  HubOrder,
  PluginDefinition,
  QuoteResult,
} from '#sdk/contract'
import { CARRIER_WIRING, sandboxAccountKey } from '#sandbox/hub_wiring'
import { EgressPolicy } from '#sdk/egress_policy'
import { performHostFetch } from '#carriers/host_fetch'
import type Store from '#models/store'
import { HUB_ROOT } from './hub_env.js'
import { BENCH_STORES } from './dispatch_orders.js'

interface SandboxAccount {
  carrier: string
  accountKey: string
  credentials?: Record<string, string>
}

interface BaselineAccount {
  carrier: string
  storeIndex: number
  methods: CarrierMethods
}

/** Requests the baseline made, by outcome: the hub phases report the same from the sandbox. */
export interface BaselineCounts {
  quotes: number
  quoteFailures: number
  creates: number
  createFailures: number
  /** Orders no carrier could take (every quote failed or every create failed). */
  unplaced: number
}

/** The sandbox is on loopback; any port. */
const LOOPBACK = new EgressPolicy(['127.0.0.1'])

const fetchDirect: HostFetch = async (url, init = {}) => {
  // The same client the hub's plugin host uses (app/carriers/host_fetch.ts), so
  // the baseline's HTTP cost per call is the hub's.
  const { status, headers, body } = await performHostFetch(
    {
      url,
      method: init.method ?? 'GET',
      headers: init.headers ?? {},
      body: init.body ?? null,
      timeoutMs: init.timeoutMs ?? 10_000,
    },
    LOOPBACK,
    { timeoutCapMs: 10_000, maxResponseBytes: 4 * 1024 * 1024 }
  )
  const answer: HostFetchResponse = {
    status,
    ok: status >= 200 && status < 300,
    headers,
    text: async () => body,
    json: async <T>() => JSON.parse(body) as T,
  }
  return answer
}

const NONCE_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz'
const nonce = (length = 16) =>
  Array.from({ length }, () => NONCE_ALPHABET[randomInt(NONCE_ALPHABET.length)]).join('')
const silent = { debug() {}, info() {}, warn() {}, error() {} }

/**
 * The hub's check of an account's settings (app/carriers/registry/account_config.ts:
 * same Ajv options, defaults filled in). A setting the hub would refuse leaves the
 * carrier out of the baseline too, so both quote the same carriers.
 */
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, useDefaults: true })
ajvFormats.default(ajv)
ajv.addKeyword({ keyword: 'x-ui' })
ajv.addKeyword({ keyword: 'x-secret' })

async function putJson(url: string, body: unknown) {
  const response = await fetch(url, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`)
}

/**
 * A receiver for the sandbox's callbacks that acknowledges everything: what a hub
 * that did no work per callback would answer.
 */
export async function startCallbackSink(): Promise<{
  url: string
  received(): number
  close(): Promise<void>
}> {
  let received = 0
  const server: Server = createServer((request, response) => {
    request.resume()
    request.on('end', () => {
      received += 1
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end('{"code":0,"msg":"ok"}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (typeof address !== 'object' || !address) throw new Error('callback sink has no port')
  return {
    url: `http://127.0.0.1:${address.port}`,
    received: () => received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/**
 * One adapter per (carrier, store), registered in the sandbox the way wireSandbox
 * registers the hub's accounts (same credentials per store), with callbacks to
 * `callbackUrl`.
 */
export async function baselineAccounts(sandboxUrl: string, callbackUrl: string) {
  const response = await fetch(`${sandboxUrl}/_control/accounts`)
  const listing = (await response.json()) as
    SandboxAccount[] | { data?: SandboxAccount[]; accounts?: SandboxAccount[] }
  const rows = Array.isArray(listing) ? listing : (listing.data ?? listing.accounts ?? [])
  const defaults = new Map<string, SandboxAccount>()
  for (const row of rows) if (!defaults.has(row.carrier)) defaults.set(row.carrier, row)

  const accounts: BaselineAccount[] = []
  const skipped: Record<string, string> = {}
  for (const [carrier, wiring] of Object.entries(CARRIER_WIRING)) {
    const base = defaults.get(carrier)
    if (!base) continue
    const pluginDir = join(HUB_ROOT, 'plugins', carrier)
    const manifest = JSON.parse(await readFile(join(pluginDir, 'manifest.json'), 'utf8')) as {
      entry: string
      configSchema: unknown
    }
    const loaded = (await import(pathToFileURL(join(pluginDir, manifest.entry)).href)) as {
      default: PluginDefinition
    }
    const validate = ajv.compile(manifest.configSchema as Record<string, unknown>)
    for (const [storeIndex, benchStore] of BENCH_STORES.entries()) {
      // wireSandbox reads id, city, lat and lng of the hub's Store model; the
      // baseline has no database, so the bench store stands in for it (ids as the
      // hub's fresh database numbers them).
      const store = { ...benchStore, id: storeIndex + 1 } as unknown as Store
      const credentials = wiring.sandboxCredentials(base.credentials ?? {}, store)
      const accountKey = sandboxAccountKey(carrier, base.accountKey, credentials, store.id)
      const config = wiring.hubConfig(
        accountKey,
        credentials,
        `${sandboxUrl}/${carrier}`,
        callbackUrl
      )
      if (!validate(config)) {
        skipped[carrier] = JSON.stringify(validate.errors)
        continue
      }
      await putJson(
        `${sandboxUrl}/_control/accounts/${carrier}/${encodeURIComponent(accountKey)}`,
        { credentials, callbackUrl }
      )
      const methods = loaded.default.create({
        config,
        accountId: `baseline-${carrier}-${storeIndex}`,
        fetch: fetchDirect,
        clock: { now: () => new Date() },
        random: { nonce },
        logger: silent,
      })
      accounts.push({ carrier, storeIndex, methods })
    }
  }
  return { accounts, skipped }
}

/**
 * Dispatches `orders` with at most `concurrency` in flight (the hub worker's
 * DISPATCH_CONCURRENCY): quote all accounts of the order's store in parallel,
 * create at the cheapest quote, on failure the next cheapest. Returns each
 * order's completion time (Date.now(), null when unplaced).
 */
export async function dispatchDirect(
  accounts: BaselineAccount[],
  orders: { order: HubOrder; storeIndex: number }[],
  concurrency: number,
  counts: BaselineCounts
) {
  const doneAt: (number | null)[] = new Array(orders.length).fill(null)
  let next = 0
  const lane = async () => {
    while (next < orders.length) {
      const index = next++
      const { order, storeIndex } = orders[index]
      const mine = accounts.filter((account) => account.storeIndex === storeIndex)
      const settled = await Promise.allSettled(mine.map((account) => account.methods.quote!(order)))
      const quoted: { account: BaselineAccount; quote: QuoteResult }[] = []
      settled.forEach((result, i) => {
        counts.quotes += 1
        if (result.status === 'fulfilled') quoted.push({ account: mine[i], quote: result.value })
        else counts.quoteFailures += 1
      })
      quoted.sort((a, b) => a.quote.feeFen - b.quote.feeFen)
      for (const [attempt, { account, quote }] of quoted.entries()) {
        counts.creates += 1
        try {
          await account.methods.create!(order, quote, `baseline-${order.id}-${attempt + 1}`)
          doneAt[index] = Date.now()
          break
        } catch {
          counts.createFailures += 1
        }
      }
      if (doneAt[index] === null) counts.unplaced += 1
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane))
  return doneAt
}
