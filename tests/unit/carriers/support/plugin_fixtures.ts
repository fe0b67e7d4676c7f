/**
 * Shared helpers for the plugin host tests: fixture folders, throw-away packages,
 * a host tuned for fast tests, and an event-loop monitor that proves the hub stays
 * responsive while a plugin misbehaves.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { HubOrder } from '#sdk/contract'
import { PluginHost } from '#carriers/plugin_host'
import type { PluginHostConfig } from '#carriers/host_options'

export const FIXTURE_PLUGINS = fileURLToPath(new URL('../../../fixtures/plugins/', import.meta.url))
export const OWN_FLEET_DIR = fileURLToPath(
  new URL('../../../../plugins/own_fleet/', import.meta.url)
)

export function fixturePlugin(name: string): string {
  return join(FIXTURE_PLUGINS, name)
}

/** Short deadlines so hung plugins fail fast; breaker opens on the first failure. */
export function testHost(config: PluginHostConfig = {}): PluginHost {
  return new PluginHost({
    callTimeoutMs: 600,
    methodTimeoutsMs: {},
    livenessTimeoutMs: 300,
    startTimeoutMs: 5_000,
    heapLimitMb: 32,
    drainTimeoutMs: 5_000,
    restartBackoffMs: [0, 100],
    breaker: { failureThreshold: 1, openMs: 60_000 },
    ...config,
  })
}

/** Temporary folders removed by cleanup(). */
export async function scratchDir(cleanup: (fn: () => Promise<void>) => void): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'carrier-test-'))
  cleanup(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** Copies a fixture plugin into `parent`, optionally rewriting its manifest. */
export async function copyPlugin(
  name: string,
  parent: string,
  edit: (manifest: Record<string, any>) => void = () => {}
): Promise<string> {
  const target = join(parent, `${name}-${Math.random().toString(36).slice(2, 8)}`)
  await cp(fixturePlugin(name), target, { recursive: true })
  const manifestFile = join(target, 'manifest.json')
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8'))
  edit(manifest)
  await writeFile(manifestFile, JSON.stringify(manifest, null, 2))
  return target
}

export const ACCOUNT = { id: 'acct-1', config: {} }

export const SAMPLE_ORDER: HubOrder = {
  id: 'ord_test_1',
  external_id: 'POS-1',
  store: {
    name: 'Test store',
    address: '上海市徐汇区漕溪北路 88 号',
    city: '上海',
    lat: 31.190236,
    lng: 121.436525,
    contact_name: '王师傅',
    contact_phone: '13800001111',
  },
  recipient: {
    name: '李女士',
    phone: '13900002222',
    address: '上海市徐汇区天钥桥路 100 号',
    city: '上海',
    lat: 31.183467,
    lng: 121.443512,
  },
  items_summary: '牛肉面 x2',
  item_count: 2,
  weight_g: 1200,
  declared_value_fen: 5600,
  category: 'food',
  notes: '',
  tip_fen: 0,
}

/**
 * Measures the largest gap between 5 ms timer ticks on the hub's event loop. A plugin
 * that blocked the hub (instead of its own worker) would show up as a long gap.
 */
export function watchEventLoop(): { stop(): number } {
  let last = performance.now()
  let maxGap = 0
  const timer = setInterval(() => {
    const now = performance.now()
    maxGap = Math.max(maxGap, now - last)
    last = now
  }, 5)
  return {
    stop() {
      clearInterval(timer)
      return maxGap
    },
  }
}
