/**
 * Plugin host benchmark:
 *   node --import=@poppinss/ts-exec bench/plugin_bench.ts
 *
 * 1. Cost of the worker boundary: the same quote function called directly and
 *    through PluginHost.call (sequential latency and 32-way throughput), for a pure
 *    function and for the own-fleet plugin with stubbed HTTP (two round trips: the
 *    call and the proxied fetch).
 * 2. Memory per loaded plugin (process RSS growth and worker heap) and start time.
 * 3. Failed calls while upgrading blue/green under continuous load (goal: 0).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { HubOrder, PluginDefinition } from '#sdk/contract'
import { pack } from '#sdk/packaging/pack'
import { createTestContext, StubHttp } from '#sdk/testing/stub_http'
import { installPackage } from '#carriers/package_installer'
import { PluginHost } from '#carriers/plugin_host'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const OWN_FLEET = join(ROOT, 'plugins/own_fleet')
const fixture = async (path: string) =>
  JSON.parse(await readFile(join(OWN_FLEET, 'fixtures', path), 'utf8'))

const PURE_PLUGIN = (version: string, fee: number) => `
function haversine(a, b) {
  const rad = Math.PI / 180
  const dLat = (b.lat - a.lat) * rad
  const dLng = (b.lng - a.lng) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2
  return 2 * 6371000 * Math.asin(Math.sqrt(h))
}
export default {
  kind: 'courier-hub.carrier-plugin',
  contractVersion: '1.0.0',
  statusMap: { '1': 'accepted' },
  create: () => ({
    async quote(order) {
      const distanceM = Math.round(haversine(order.store, order.recipient))
      return {
        feeFen: ${fee} + Math.round(distanceM / 10),
        pickupEtaS: 600,
        dropoffEtaS: 600 + Math.round(distanceM / 5),
        distanceM,
        quoteToken: 'v${version}-' + order.id,
        expiresAt: new Date(Date.now() + 300000).toISOString(),
      }
    },
  }),
}
`

async function writePurePlugin(parent: string, id: string, version: string, fee = 500) {
  const dir = join(parent, `${id}-${version}`)
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'index.js'), PURE_PLUGIN(version, fee))
  await writeFile(
    join(dir, 'manifest.json'),
    JSON.stringify({
      id,
      version,
      name: { 'zh-CN': '基准', 'en': 'Bench' },
      hostApi: '^1.0.0',
      capabilities: ['quote'],
      configSchema: { type: 'object', properties: {} },
      egress: [],
      money: 'fen',
      coordinates: { system: 'gcj02' },
      entry: 'index.js',
    })
  )
  return dir
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

/** µs per call, sequential: the latency one dispatch sees. */
async function sequential(fn: () => Promise<unknown>, calls: number): Promise<number> {
  for (let i = 0; i < 200; i++) await fn()
  const runs: number[] = []
  for (let run = 0; run < 3; run++) {
    const started = process.hrtime.bigint()
    for (let i = 0; i < calls; i++) await fn()
    runs.push(Number(process.hrtime.bigint() - started) / 1000 / calls)
  }
  return median(runs)
}

/** Calls per second with `concurrency` callers: what a batch of quotes sees. */
async function throughput(
  fn: () => Promise<unknown>,
  calls: number,
  concurrency = 32
): Promise<number> {
  let remaining = calls
  const started = process.hrtime.bigint()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (remaining-- > 0) await fn()
    })
  )
  return calls / (Number(process.hrtime.bigint() - started) / 1e9)
}

const fmt = (value: number, digits = 1) => value.toFixed(digits)

async function main() {
  const scratch = await mkdtemp(join(tmpdir(), 'plugin-bench-'))
  const order: HubOrder = await fixture('order.json')
  const lines: string[] = []
  const log = (line: string) => {
    lines.push(line)
    console.log(line)
  }
  log(`node ${process.version}, ${process.arch}, ${cpus().length} cores`)

  // 1a. Pure function, direct vs worker.
  const pureDir = await writePurePlugin(scratch, 'bench_pure', '1.0.0')
  const { default: pureDefinition } = (await import(
    pathToFileURL(join(pureDir, 'index.js')).href
  )) as {
    default: PluginDefinition
  }
  const pureDirect = pureDefinition.create(createTestContext({ config: {}, http: new StubHttp() }))
  const host = new PluginHost()
  await host.load(pureDir)
  const account = { id: 'bench', config: {} }
  const pureWorkerCall = () => host.call('bench_pure', 'quote', [order], { account })
  const pureDirectCall = () => pureDirect.quote!(order)
  const pureDirectUs = await sequential(pureDirectCall, 20_000)
  const pureWorkerUs = await sequential(pureWorkerCall, 5_000)
  const pureDirectRate = await throughput(pureDirectCall, 50_000)
  const pureWorkerRate = await throughput(pureWorkerCall, 20_000)
  log('')
  log('| quote (pure function) | µs per call (sequential) | calls/s (32 concurrent) |')
  log('|---|---|---|')
  log(`| direct | ${fmt(pureDirectUs, 2)} | ${fmt(pureDirectRate, 0)} |`)
  log(`| through worker | ${fmt(pureWorkerUs, 1)} | ${fmt(pureWorkerRate, 0)} |`)
  log(
    `| ratio | ${fmt(pureWorkerUs / pureDirectUs, 0)}x | ${fmt(pureDirectRate / pureWorkerRate, 0)}x |`
  )

  // 1b. own_fleet quote (signing + JSON + proxied fetch), direct vs worker.
  const success = await fixture('quote/success.json')
  const responseBody = JSON.stringify(success.response.body)
  const fleetConfig = await fixture('account.json')
  const packed = await pack(OWN_FLEET, { outDir: scratch })
  const installed = await installPackage(packed.tarball, join(scratch, 'installed'))
  const fleetHost = new PluginHost({
    fetchImplementation: async () => new Response(responseBody, { status: 200 }),
  })
  await fleetHost.load(installed.dir)
  const { default: fleetDefinition } = (await import(
    pathToFileURL(join(installed.dir, 'dist/index.js')).href
  )) as { default: PluginDefinition<any> }
  const fleetHttp = new StubHttp(() => ({ status: 200, body: responseBody }))
  const fleetDirect = fleetDefinition.create(
    createTestContext({ config: fleetConfig, http: fleetHttp })
  )
  const fleetAccount = { id: 'fleet', config: fleetConfig }
  const fleetDirectCall = () => fleetDirect.quote!(order)
  const fleetWorkerCall = () =>
    fleetHost.call('own_fleet', 'quote', [order], { account: fleetAccount })
  const fleetDirectUs = await sequential(fleetDirectCall, 5_000)
  const fleetWorkerUs = await sequential(fleetWorkerCall, 3_000)
  const fleetDirectRate = await throughput(fleetDirectCall, 20_000)
  const fleetWorkerRate = await throughput(fleetWorkerCall, 10_000)
  fleetHttp.requests.length = 0
  log('')
  log('| quote (own_fleet, stubbed HTTP) | µs per call (sequential) | calls/s (32 concurrent) |')
  log('|---|---|---|')
  log(`| direct | ${fmt(fleetDirectUs, 1)} | ${fmt(fleetDirectRate, 0)} |`)
  log(
    `| through worker (call + proxied fetch) | ${fmt(fleetWorkerUs, 1)} | ${fmt(fleetWorkerRate, 0)} |`
  )
  log(
    `| ratio | ${fmt(fleetWorkerUs / fleetDirectUs, 1)}x | ${fmt(fleetDirectRate / fleetWorkerRate, 1)}x |`
  )
  await fleetHost.shutdown()

  // 2. Memory and start time per loaded plugin.
  const count = 10
  global.gc?.()
  const rssBefore = process.memoryUsage().rss
  const memoryHost = new PluginHost()
  const startTimes: number[] = []
  for (let index = 0; index < count; index++) {
    const dir = await writePurePlugin(scratch, `bench_mem_${index}`, '1.0.0')
    const started = performance.now()
    await memoryHost.load(dir)
    startTimes.push(performance.now() - started)
    await memoryHost.call(`bench_mem_${index}`, 'quote', [order], { account })
  }
  await new Promise((resolve) => setTimeout(resolve, 500))
  const rssAfter = process.memoryUsage().rss
  const statuses = await memoryHost.status()
  const heapUsed = statuses.map((status) => status.worker?.heap?.usedBytes ?? 0)
  log('')
  log(`| memory and start, ${count} plugins loaded | value |`)
  log('|---|---|')
  log(
    `| process RSS growth per plugin | ${fmt((rssAfter - rssBefore) / count / 1024 / 1024)} MiB |`
  )
  log(`| worker V8 heap used (median) | ${fmt(median(heapUsed) / 1024 / 1024)} MiB |`)
  log(
    `| load → ready (median / max) | ${fmt(median(startTimes), 0)} ms / ${fmt(Math.max(...startTimes), 0)} ms |`
  )
  await memoryHost.shutdown()

  // 3. Blue/green upgrades under continuous load.
  const v1 = await writePurePlugin(scratch, 'bench_upgrade', '1.0.0', 500)
  const v2 = await writePurePlugin(scratch, 'bench_upgrade', '2.0.0', 900)
  const upgradeHost = new PluginHost()
  await upgradeHost.load(v1)
  let running = true
  let ok = 0
  let failed = 0
  const versionsSeen = new Set<string>()
  const loops = Array.from({ length: 32 }, async () => {
    while (running) {
      try {
        const quote = await upgradeHost.call('bench_upgrade', 'quote', [order], { account })
        versionsSeen.add(quote.quoteToken.split('-')[0])
        ok++
      } catch {
        failed++
      }
    }
  })
  const upgrades = 10
  const upgradeTimes: number[] = []
  for (let index = 0; index < upgrades; index++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    const started = performance.now()
    await upgradeHost.upgrade('bench_upgrade', index % 2 === 0 ? v2 : v1)
    upgradeTimes.push(performance.now() - started)
  }
  await new Promise((resolve) => setTimeout(resolve, 100))
  running = false
  await Promise.all(loops)
  log('')
  log('| blue/green upgrade under load (32 concurrent callers) | value |')
  log('|---|---|')
  log(`| upgrades | ${upgrades} |`)
  log(`| calls completed / failed | ${ok} / ${failed} |`)
  log(`| versions that answered | ${[...versionsSeen].sort().join(', ')} |`)
  log(`| upgrade duration (median) | ${fmt(median(upgradeTimes), 0)} ms |`)
  await upgradeHost.shutdown()
  await host.shutdown()
  await rm(scratch, { recursive: true, force: true })
  if (failed > 0) process.exitCode = 1
}

await main()
