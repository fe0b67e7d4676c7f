/**
 * Packages and helpers for the plugin registry's functional tests: fixture plugins
 * packed under a fresh id (the database is only reset once per run), the own-fleet
 * reference plugin, hand-made hostile tarballs, signed own-fleet callbacks, and the
 * in-process hub node.
 */
import { randomUUID } from 'node:crypto'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import app from '@adonisjs/core/services/app'
import { pack } from '#sdk/packaging/pack'
import { buildIntegrity, INTEGRITY_FILE } from '#sdk/packaging/integrity'
import { hmacSha256Hex } from '#sdk/signing'
import { HOST_API_VERSION } from '#carriers/host_api_version'
import { PluginNode } from '#carriers/registry/plugin_node'
import { rawTarGz } from '#tests/unit/carriers/support/raw_tar'
import InstalledPlugin from '#models/installed_plugin'
import { checkPackageFile } from '#services/plugins/package_checks'
import { installCheckedPackage, uninstallPlugin } from '#services/plugins/plugin_registry_service'
import { createAccount } from '#services/plugins/carrier_account_service'

export const FIXTURE_PLUGINS = fileURLToPath(new URL('../../../fixtures/plugins/', import.meta.url))
export const OWN_FLEET_DIR = fileURLToPath(
  new URL('../../../../plugins/own_fleet/', import.meta.url)
)

/** The hub node of the test process, running plugins like a web process would. */
export async function localNode(): Promise<PluginNode> {
  const node = await app.container.make(PluginNode)
  await node.start()
  return node
}

const scratchDirs: string[] = []

export async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hub-plugins-test-'))
  scratchDirs.push(dir)
  return dir
}

const createdIds: string[] = []

/**
 * Group teardown: scratch folders, and the throw-away plugins of the group. They are
 * uninstalled (so this node stops their workers and deletes their unpacked files;
 * the database is reset per run, the plugins folder is not).
 */
export async function removeScratch() {
  const node = await app.container.make(PluginNode)
  for (const id of createdIds.splice(0)) {
    const installed = await InstalledPlugin.findBy('plugin_id', id)
    if (installed?.isInstalled) await uninstallPlugin(id)
    await rm(join(node.config.pluginsDir, id), { recursive: true, force: true })
  }
  await Promise.all(scratchDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
}

export function uniqueId(prefix = 'good') {
  const id = `${prefix}_${randomUUID().slice(0, 8)}`
  createdIds.push(id)
  return id
}

export interface PackedFixture {
  tarball: string
  id: string
  version: string
  dir: string
}

/**
 * Packs a fixture plugin (tests/fixtures/plugins/<name>) under another id, with a
 * README (fixtures have none; packages must). `edit` may change the manifest further.
 */
export async function packFixture(
  name: string,
  id: string,
  edit: (manifest: Record<string, any>) => void = () => {}
): Promise<PackedFixture> {
  const parent = await scratch()
  const dir = join(parent, id)
  await cp(join(FIXTURE_PLUGINS, name), dir, { recursive: true })
  const manifestFile = join(dir, 'manifest.json')
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8'))
  manifest.id = id
  edit(manifest)
  await writeFile(manifestFile, JSON.stringify(manifest, null, 2))
  await writeFile(join(dir, 'README.md'), `# ${id}\n\nTest fixture.\n`)
  const packed = await pack(dir, {
    outDir: join(parent, 'build'),
    build: 'never',
    hostApiVersion: HOST_API_VERSION,
  })
  return { tarball: packed.tarball, id, version: manifest.version, dir }
}

let ownFleetTarball: Promise<string> | null = null

/** plugins/own_fleet packed once per run (bundled from its sources, as plugin:pack does). */
export function ownFleetPackage(): Promise<string> {
  ownFleetTarball ??= (async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'hub-own-fleet-'))
    const packed = await pack(OWN_FLEET_DIR, { outDir, hostApiVersion: HOST_API_VERSION })
    return packed.tarball
  })()
  return ownFleetTarball
}

/** Installs own_fleet through the registry service unless an earlier test did. */
export async function ensureOwnFleet() {
  await localNode()
  const current = await InstalledPlugin.findBy('plugin_id', 'own_fleet')
  if (current?.isInstalled && current.enabled) return
  if (current?.isInstalled) throw new Error('own_fleet is installed but disabled by another test')
  await installCheckedPackage(await checkPackageFile(await ownFleetPackage()), null)
}

export const OWN_FLEET_SECRET = 'sk_live_do_not_leak_8f2b'

export async function ownFleetAccount(
  overrides: { merchant_id?: number | null; secret?: string } = {}
) {
  const view = await createAccount({
    plugin_id: 'own_fleet',
    name: `Fleet ${randomUUID().slice(0, 6)}`,
    merchant_id: overrides.merchant_id ?? null,
    config: {
      fleetId: 'F1001',
      apiKey: 'ak_test_123',
      apiSecret: overrides.secret ?? OWN_FLEET_SECRET,
    },
  })
  return view.account
}

/** A callback exactly as the fleet API signs it: `t=<unix s>,v1=<hex HMAC(secret, t.body)>`. */
export function signedFleetCallback(
  payload: Record<string, unknown>,
  options: { secret?: string; signedAt?: Date; body?: string } = {}
) {
  const body = options.body ?? JSON.stringify(payload)
  const t = Math.floor((options.signedAt ?? new Date()).getTime() / 1000)
  const signature = `t=${t},v1=${hmacSha256Hex(options.secret ?? OWN_FLEET_SECRET, `${t}.${body}`)}`
  return { body, signature }
}

export function fleetEvent(overrides: Record<string, unknown> = {}) {
  return {
    event_id: `evt_${randomUUID()}`,
    delivery_id: `D-${randomUUID().slice(0, 8)}`,
    status: 'delivered',
    occurred_at: Math.floor(Date.now() / 1000) - 5,
    rider: { name: '张三', phone: '13700003333' },
    ...overrides,
  }
}

const QUOTE_ONLY_ENTRY = `export default {
  kind: 'courier-hub.carrier-plugin',
  contractVersion: '1.0.0',
  statusMap: { 1: 'dispatching', 4: 'delivered' },
  create() {
    return {
      async quote(order) {
        return { feeFen: 1, pickupEtaS: 1, dropoffEtaS: 1, distanceM: 1, quoteToken: '', expiresAt: new Date().toISOString() }
      },
    }
  },
}
`

/**
 * A tarball written by hand, so it can break rules pack() refuses to break. `tamper`
 * edits the files after integrity.json was computed.
 */
export async function handMadePackage(options: {
  id: string
  manifest?: (manifest: Record<string, any>) => void
  entry?: string
  tamper?: (files: Map<string, Buffer>) => void
  extraEntries?: Array<{ path: string; content: string }>
}): Promise<string> {
  const manifest: Record<string, any> = JSON.parse(
    await readFile(join(FIXTURE_PLUGINS, 'good_v1', 'manifest.json'), 'utf8')
  )
  manifest.id = options.id
  options.manifest?.(manifest)
  const files = new Map<string, Buffer>([
    ['manifest.json', Buffer.from(JSON.stringify(manifest))],
    [manifest.entry ?? 'index.js', Buffer.from(options.entry ?? QUOTE_ONLY_ENTRY)],
    ['README.md', Buffer.from(`# ${options.id}\n`)],
  ])
  files.set(INTEGRITY_FILE, Buffer.from(JSON.stringify(buildIntegrity(files))))
  options.tamper?.(files)
  const entries: Array<{ path: string; content: string | Buffer }> = [...files].map(
    ([path, content]) => ({ path: `package/${path}`, content })
  )
  for (const extra of options.extraEntries ?? []) entries.push(extra)
  const file = join(await scratch(), `${options.id}.tgz`)
  await writeFile(file, rawTarGz(entries))
  return file
}

/** The status of an API client request, for checks that need nothing else. */
export async function statusOf(request: PromiseLike<{ status(): number }>): Promise<number> {
  const response = await request
  return response.status()
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `probe` until it returns a truthy value or `timeoutMs` passes (then throws). */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 10_000,
  everyMs = 100
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown = null
  while (Date.now() < deadline) {
    try {
      const value = await probe()
      if (value) return value
    } catch (error) {
      last = error
    }
    await pause(everyMs)
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ''}`)
}
