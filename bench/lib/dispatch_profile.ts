/*
 * Reads V8 .cpuprofile files (node --cpu-prof) and says where the CPU went, in
 * views that answer "what should change" rather than "which leaf is hot":
 *
 * - by owner: each sample charged to the first frame, from the leaf up, that is
 *   neither Node core nor a V8 builtin, grouped by npm package or app file; so a
 *   socket write lands on mysql2 or undici, a postMessage on the plugin host;
 * - by app function: each sample charged to the nearest app function on its stack
 *   (app/, providers/, plugins/). Callbacks of sockets and timers start fresh
 *   stacks, so much of the work has none: that share is shown by owner;
 * - top self-time functions.
 *
 * Sample weights are the time between samples: wall time of the sampled thread, so
 * on a busy machine they exceed its CPU time; the shares are what to read.
 *
 *   node --import=@poppinss/ts-exec bench/lib/dispatch_profile.ts <file.cpuprofile>...
 */
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { HUB_ROOT } from './hub_env.js'
import { table } from './stats.js'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
  /** Microseconds on a monotonic clock. */
  startTime: number
  endTime: number
}

const SPECIAL = new Set(['(garbage collector)', '(program)', '(idle)', '(root)'])

function relativePath(url: string) {
  const path = url.startsWith('file://') ? fileURLToPath(url) : url
  return path.startsWith(HUB_ROOT) ? path.slice(HUB_ROOT.length) : path
}

/** npm package of a frame, or null for app code, Node core and builtins. */
function packageOf(url: string) {
  const path = relativePath(url)
  const modules = path.lastIndexOf('node_modules/')
  if (modules < 0) return null
  const parts = path.slice(modules + 'node_modules/'.length).split('/')
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]
}

function isCoreOrBuiltin(node: ProfileNode) {
  const url = node.callFrame.url
  return !url || url.startsWith('node:') || url.startsWith('wasm:')
}

function isAppFrame(node: ProfileNode) {
  const url = node.callFrame.url
  if (!url || url.includes('node_modules')) return false
  return /^(app|providers|plugins|commands|start|bin)\//.test(relativePath(url))
}

function frameLabel(node: ProfileNode) {
  const { functionName, url, lineNumber } = node.callFrame
  const name = functionName || '(anonymous)'
  return url ? `${name} ${relativePath(url)}:${lineNumber + 1}` : name
}

function ownerLabel(node: ProfileNode) {
  const url = node.callFrame.url
  return packageOf(url) ?? relativePath(url)
}

export async function summarizeProfile(file: string, top = 20) {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parent.set(child, node.id)
  }

  const selfUs = new Map<number, number>()
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  })

  const memo = (pick: (node: ProfileNode) => string | null, fallback: (id: number) => string) => {
    const cache = new Map<number, string>()
    const find = (id: number): string => {
      const known = cache.get(id)
      if (known !== undefined) return known
      const node = byId.get(id)!
      const own = pick(node)
      const label = own ?? (parent.has(id) ? find(parent.get(id)!) : fallback(id))
      cache.set(id, label)
      return label
    }
    return find
  }
  const owner = memo(
    (node) =>
      isCoreOrBuiltin(node) || SPECIAL.has(node.callFrame.functionName) ? null : ownerLabel(node),
    () => '(Node core / V8 only)'
  )
  const nearestApp = memo(
    (node) => (isAppFrame(node) ? frameLabel(node) : null),
    () => '(no app frame)'
  )

  const add = (map: Map<string, number>, key: string, us: number) =>
    map.set(key, (map.get(key) ?? 0) + us)
  const byOwner = new Map<string, number>()
  const byApp = new Map<string, number>()
  const byFunction = new Map<string, number>()
  let totalUs = 0
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!
    const name = node.callFrame.functionName
    if (name === '(idle)') continue
    totalUs += us
    add(byFunction, frameLabel(node), us)
    if (SPECIAL.has(name)) {
      add(byOwner, name, us)
      add(byApp, name, us)
      continue
    }
    add(byOwner, owner(id), us)
    add(byApp, nearestApp(id), us)
  }

  const rows = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, us]) => [key, (us / 1000).toFixed(0), `${((us / totalUs) * 100).toFixed(1)}%`])
  const wallS = (profile.endTime - profile.startTime) / 1e6
  return [
    `${relativePath(file)}: ${(totalUs / 1e6).toFixed(1)} s of non-idle samples in ${wallS.toFixed(1)} s`,
    '',
    table(['charged to (first non-core frame from the leaf)', 'ms', 'share'], rows(byOwner)),
    '',
    table(['nearest app function on the stack', 'ms', 'share'], rows(byApp)),
    '',
    table(['self time', 'ms', 'share'], rows(byFunction)),
  ].join('\n')
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const file of process.argv.slice(2)) {
    process.stdout.write(`${await summarizeProfile(file)}\n\n`)
  }
}
