/*
 * Child script of bench/dispatch_bench.ts, run with the bench database's env:
 *
 *   node --import=@poppinss/ts-exec bench/lib/dispatch_setup.ts <out.json>
 *   (BENCH_SANDBOX_URL, BENCH_HUB_URL in the environment)
 *
 * Does what `node ace demo:setup --sandbox URL --hub-url URL` does for the demo:
 * a merchant with two stores and a POS API key, the shipped carrier plugins
 * installed like an admin upload, and every store wired to every carrier in the
 * sandbox (wireSandbox). demo:setup itself is not used because it overwrites the
 * developer's tmp/demo-credentials.json and seeds 12 orders of its own that
 * would be dispatched inside the measurement.
 *
 * The app must be booted before its services are imported (they resolve the
 * container at import time), hence the dynamic imports after app.start().
 */
import 'reflect-metadata'
import { writeFile } from 'node:fs/promises'
import { Ignitor } from '@adonisjs/core'
import { BENCH_STORES } from './dispatch_orders.js'

export interface DispatchSetupResult {
  merchantId: number
  apiKey: string
  stores: { id: number; code: string; city: string; lat: number; lng: number }[]
  /** One per (carrier, store): the hub account and the sandbox account behind it. */
  links: { carrier: string; storeId: number; hubAccountId: number; sandboxAccountKey: string }[]
  plugins: string[]
  /** Carriers wireSandbox could not wire, with the reason (they take no orders). */
  skipped: Record<string, string>
}

const APP_ROOT = new URL('../../', import.meta.url)

async function main() {
  const outPath = process.argv[2]
  const sandboxUrl = process.env.BENCH_SANDBOX_URL
  const hubUrl = process.env.BENCH_HUB_URL
  if (!outPath || !sandboxUrl || !hubUrl) {
    throw new Error('usage: dispatch_setup.ts <out.json> with BENCH_SANDBOX_URL and BENCH_HUB_URL')
  }

  const app = new Ignitor(APP_ROOT, {
    importer: (filePath: string) =>
      filePath.startsWith('./') || filePath.startsWith('../')
        ? import(new URL(filePath, APP_ROOT).href)
        : import(filePath),
  })
    .tap((application) => {
      application.booting(async () => {
        await import('#start/env')
      })
    })
    .createApp('console')
  await app.init()
  await app.boot()
  await app.start(() => {})
  try {
    const { default: Merchant } = await import('#models/merchant')
    const { default: Store } = await import('#models/store')
    const { issueApiKey } = await import('#services/api_key_service')
    const { installBuiltinPlugins, BUILTIN_PLUGINS } = await import('#carriers/builtin_plugins')
    const { wireSandbox, CARRIER_WIRING } = await import('#sandbox/hub_wiring')

    // The demo tenant's shape (demo:setup): a standard-tier merchant and its two
    // Beijing stores, each with an account at every carrier.
    const merchant = await Merchant.create({
      name: 'Dispatch bench noodle bar',
      code: 'dispatch-bench',
      tier: 'standard',
      status: 'active',
      contactPhone: '01065290000',
    })
    const stores = await Store.createMany(
      BENCH_STORES.map((store) => ({ merchantId: merchant.id, ...store }))
    )
    const { secret } = await issueApiKey(merchant.id, 'bench POS')
    const plugins = await installBuiltinPlugins()
    // One carrier at a time, so a carrier whose wiring the hub refuses (its account
    // settings fail the plugin's configSchema) is reported and left out instead of
    // failing the whole bench; the baseline applies the same check.
    const links: DispatchSetupResult['links'] = []
    const skipped: Record<string, string> = {}
    for (const carrier of Object.keys(CARRIER_WIRING)) {
      try {
        links.push(
          ...(await wireSandbox({
            sandboxUrl,
            hubUrl,
            stores,
            merchantId: merchant.id,
            carriers: [carrier],
          }))
        )
      } catch (error) {
        const { message, errors } = error as Error & { errors?: unknown }
        skipped[carrier] = errors ? `${message} ${JSON.stringify(errors)}` : message
      }
    }

    const result: DispatchSetupResult = {
      merchantId: merchant.id,
      apiKey: secret,
      stores: stores.map((store) => ({
        id: store.id,
        code: store.code,
        city: store.city,
        lat: Number(store.lat),
        lng: Number(store.lng),
      })),
      links,
      plugins: plugins.length > 0 ? plugins : BUILTIN_PLUGINS,
      skipped,
    }
    await writeFile(outPath, JSON.stringify(result, null, 2))
  } finally {
    await app.terminate()
  }
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
