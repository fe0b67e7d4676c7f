/*
 * POS intake benchmark (not a test): batch throughput against a raw-driver
 * baseline, and single-order latency at a fixed request rate.
 *
 *   bash bench/intake.sh                      # MySQL, then embedded SQLite
 *   bash bench/intake.sh --db mysql --reps 7  # options: see parseArgs below
 *
 * In-process dispatch is switched off (intake only) unless --dispatch is given.
 * Each database gets a freshly created and migrated bench database and its own
 * server process (LOG_LEVEL=warn, NODE_ENV=production) on a free loopback port.
 * Requires `node ace codegen` to have run (bench/intake.sh does it).
 */
import { parseArgs } from 'node:util'
import { cpus, loadavg } from 'node:os'
import { sqlNow, toOrderRow } from '#services/order_rows'
import type { OrderInput } from '#services/order_validation'
import { benchDb, hubEnv, type DbKind } from './lib/hub_env.js'
import {
  migrate,
  multiInsert,
  openRawDb,
  resetBenchDatabase,
  seedTenant,
  transaction,
  type RawDb,
  type SqlValue,
  type Tenant,
} from './lib/database.js'
import { processCpuMs, runQueueWaitMs, startHubServer } from './lib/server.js'
import { fixedRate, type FixedRateResult } from './lib/load.js'
import { paced, type PacedResult } from './lib/paced.js'
import { posOrder } from './lib/orders.js'
import { fixed, grouped, median, table } from './lib/stats.js'

/** The hub's own chunk size (order_intake_service INSERT_CHUNK), for a like-for-like baseline. */
const HUB_INSERT_CHUNK = 500
/** better-sqlite3's SQLITE_MAX_VARIABLE_NUMBER: caps rows per SQLite statement. */
const SQLITE_MAX_VARIABLES = 32_766
const BATCH_GOAL_RATIO = 0.5
const LATENCY_GOAL_P99_MS = 20

const { values: args } = parseArgs({
  options: {
    'db': { type: 'string', default: 'mysql,sqlite' },
    'parts': { type: 'string', default: 'batch,single' },
    'reps': { type: 'string', default: '5' },
    'batch-size': { type: 'string', default: '5000' },
    'rate': { type: 'string', default: '200' },
    'duration': { type: 'string', default: '20' },
    'connections': { type: 'string', default: '10' },
    'profile': { type: 'boolean', default: false },
    'dispatch': { type: 'boolean', default: false },
  },
})

const config = {
  dbs: args.db!.split(',').map((d) => d.trim()) as DbKind[],
  parts: new Set(args.parts!.split(',').map((p) => p.trim())),
  reps: boundedInt(args.reps!, 1, 50, 'reps'),
  batchSize: boundedInt(args['batch-size']!, 1, 5000, 'batch-size'),
  rate: boundedInt(args.rate!, 1, 5000, 'rate'),
  durationS: boundedInt(args.duration!, 1, 300, 'duration'),
  connections: boundedInt(args.connections!, 1, 200, 'connections'),
  profile: args.profile!,
  dispatch: args.dispatch!,
}
for (const kind of config.dbs) {
  if (kind !== 'mysql' && kind !== 'sqlite') throw new Error(`--db: unknown database "${kind}"`)
}
for (const part of config.parts) {
  if (part !== 'batch' && part !== 'single') throw new Error(`--parts: unknown part "${part}"`)
}

function boundedInt(raw: string, min: number, max: number, name: string) {
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`--${name} must be an integer from ${min} to ${max}`)
  }
  return value
}

/** Distinct per run, so ids never collide with an earlier run's rows. */
const RUN_TAG = Date.now().toString(36)

interface BatchFigures {
  hubMs: number[]
  /** CPU time of the server process per batch request (null without /proc). */
  hubCpuMs: (number | null)[]
  /** Time the server's event loop waited for a CPU per batch request. */
  hubWaitMs: (number | null)[]
  rawChunkedMs: number[]
  /** CPU time of this process (the raw driver) per raw(500) batch. */
  rawChunkedCpuMs: number[]
  rawMaxMs: number[]
  /** Rows in `orders` when the batch part ended: the hub's duplicate check reads them. */
  ordersAfter: number
}

/** One fixed-rate run of single orders. */
interface LatencyRun {
  label: string
  result: FixedRateResult | PacedResult
  /** Rows the run left in `orders`: requests still in flight when autocannon stops count too. */
  stored: number
  serverCpuMsPerRequest: number | null
  /** Time the server's event loop waited for a CPU during the whole run. */
  serverWaitMs: number | null
}

interface DbReport {
  kind: DbKind
  batch?: BatchFigures
  latency: LatencyRun[]
}

function log(message: string) {
  process.stderr.write(`[intake-bench] ${message}\n`)
}

function batchOrders(storeId: number, label: string) {
  return Array.from({ length: config.batchSize }, (_, i) =>
    posOrder(storeId, `${RUN_TAG}-${label}-${i}`)
  )
}

/**
 * CPU the server used while `work` ran, and how long its event loop waited for a
 * CPU that other processes held; null when /proc is unavailable.
 */
async function withServerCpu<T>(pid: number, work: () => Promise<T>) {
  const cpuBefore = processCpuMs(pid)
  const waitBefore = runQueueWaitMs(pid)
  const result = await work()
  const cpuAfter = processCpuMs(pid)
  const waitAfter = runQueueWaitMs(pid)
  return {
    result,
    cpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore,
    waitMs: waitBefore === null || waitAfter === null ? null : waitAfter - waitBefore,
  }
}

/** One 5,000-order request; the body is serialized before the clock starts. */
async function hubBatch(url: string, tenant: Tenant, label: string) {
  const body = JSON.stringify({ orders: batchOrders(tenant.storeId, label) })
  const started = performance.now()
  const response = await fetch(`${url}/api/v1/orders/batch`, {
    method: 'POST',
    headers: { 'authorization': `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' },
    body,
  })
  const text = await response.text()
  const elapsed = performance.now() - started
  if (response.status !== 201) {
    throw new Error(`batch ${label}: HTTP ${response.status}: ${text.slice(0, 500)}`)
  }
  const accepted = (JSON.parse(text) as { data: { batch: { accepted: number } } }).data.batch
    .accepted
  if (accepted !== config.batchSize) {
    throw new Error(`batch ${label}: ${accepted} of ${config.batchSize} accepted`)
  }
  return elapsed
}

/**
 * The baseline: the rows the hub would write for the same orders (built with the
 * hub's own toOrderRow, before the clock starts), inserted with the raw driver
 * inside one transaction together with their batch row, as the hub does.
 * `chunk` = 500 mirrors the hub; 'max' is as few statements as the driver allows
 * (one for MySQL; SQLite is capped by its bound-variable limit).
 */
async function rawBatch(raw: RawDb, tenant: Tenant, label: string, chunk: number | 'max') {
  const now = sqlNow()
  const rows: Record<string, SqlValue>[] = batchOrders(tenant.storeId, label).map((order) =>
    toOrderRow(order as OrderInput, tenant.merchantId, tenant.storeId, null, now)
  )
  const rowsPerStatement =
    chunk !== 'max'
      ? chunk
      : raw.kind === 'sqlite'
        ? Math.floor(SQLITE_MAX_VARIABLES / (Object.keys(rows[0]).length + 1))
        : rows.length
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  await transaction(raw, async () => {
    const batch = await raw.run(
      'insert into batches (merchant_id, source, total, accepted, rejected, status, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?)',
      [tenant.merchantId, 'api', rows.length, rows.length, 0, 'received', now, now]
    )
    for (const row of rows) row.batch_id = batch.insertId
    for (let i = 0; i < rows.length; i += rowsPerStatement) {
      await multiInsert(raw, 'orders', rows.slice(i, i + rowsPerStatement))
    }
  })
  const ms = performance.now() - started
  const cpu = process.cpuUsage(cpuBefore)
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 }
}

async function countOrders(raw: RawDb, prefix = '') {
  const [row] = await raw.all<{ n: number }>(
    'select count(*) as n from orders where external_id like ?',
    [`${prefix}%`]
  )
  return Number(row.n)
}

async function batchRuns(kind: DbKind, url: string, pid: number, raw: RawDb, tenant: Tenant) {
  // Warm-up: JIT, schema compilation, pool connections. Not measured.
  await hubBatch(url, tenant, 'warm')
  await rawBatch(raw, tenant, 'rawwarm', HUB_INSERT_CHUNK)

  const figures: BatchFigures = {
    hubMs: [],
    hubCpuMs: [],
    hubWaitMs: [],
    rawChunkedMs: [],
    rawChunkedCpuMs: [],
    rawMaxMs: [],
    ordersAfter: 0,
  }
  for (let rep = 1; rep <= config.reps; rep++) {
    // Interleaved, so table growth and whatever else runs on the machine hit all
    // three alike.
    const chunked = await rawBatch(raw, tenant, `rc${rep}`, HUB_INSERT_CHUNK)
    const hub = await withServerCpu(pid, () => hubBatch(url, tenant, `hub${rep}`))
    const max = await rawBatch(raw, tenant, `rm${rep}`, 'max')
    figures.rawChunkedMs.push(chunked.ms)
    figures.rawChunkedCpuMs.push(chunked.cpuMs)
    figures.hubMs.push(hub.result)
    figures.hubCpuMs.push(hub.cpuMs)
    figures.hubWaitMs.push(hub.waitMs)
    figures.rawMaxMs.push(max.ms)
    log(
      `${kind}: batch rep ${rep}/${config.reps}: hub ${fixed(hub.result)} ms ` +
        `(server CPU ${fixed(hub.cpuMs ?? Number.NaN, 0)} ms), raw(500) ${fixed(chunked.ms)} ms, ` +
        `raw(max) ${fixed(max.ms)} ms, hub/raw(500) ${fixed((chunked.ms / hub.result) * 100, 0)}%`
    )
  }
  figures.ordersAfter = await countOrders(raw)
  return figures
}

/**
 * Single orders at a fixed rate, each with a unique external_id: through
 * autocannon's overallRate and through the evenly paced open-loop generator;
 * each without and with an Idempotency-Key (unique per request, as a POS sends
 * one key per order).
 */
async function latencyRuns(kind: DbKind, url: string, pid: number, raw: RawDb, tenant: Tenant) {
  const auth = { authorization: `Bearer ${tenant.apiKey}` }
  const request = (tag: string, idempotent: boolean) => (n: number) => ({
    headers: idempotent ? { ...auth, 'idempotency-key': `${RUN_TAG}-${tag}-${n}` } : auth,
    body: JSON.stringify(posOrder(tenant.storeId, `${RUN_TAG}-${tag}-${n}`)),
  })
  const common = { url, path: '/api/v1/orders', rate: config.rate }

  log(`${kind}: single orders, warm-up 3 s`)
  await fixedRate({
    ...common,
    durationS: 3,
    connections: config.connections,
    request: request('w', true),
  })

  const plan = [
    { tag: 'ap', label: 'autocannon', tool: 'autocannon', idempotent: false },
    { tag: 'ai', label: 'autocannon + Idem-Key', tool: 'autocannon', idempotent: true },
    { tag: 'pp', label: 'paced', tool: 'paced', idempotent: false },
    { tag: 'pi', label: 'paced + Idem-Key', tool: 'paced', idempotent: true },
  ] as const
  const runs: LatencyRun[] = []
  for (const step of plan) {
    log(`${kind}: single orders, ${step.label}, ${config.rate}/s for ${config.durationS} s`)
    const options = {
      ...common,
      durationS: config.durationS,
      request: request(step.tag, step.idempotent),
    }
    const { result, cpuMs, waitMs } = await withServerCpu<FixedRateResult | PacedResult>(pid, () =>
      step.tool === 'autocannon'
        ? fixedRate({ ...options, connections: config.connections })
        : paced(options)
    )
    runs.push({
      label: step.label,
      result,
      stored: await countOrders(raw, `${RUN_TAG}-${step.tag}-`),
      serverCpuMsPerRequest: cpuMs === null ? null : cpuMs / Math.max(result.responses, 1),
      serverWaitMs: waitMs,
    })
  }
  return runs
}

async function benchDatabase(kind: DbKind): Promise<DbReport> {
  const db = benchDb(kind)
  log(`${kind}: fresh database and migrations`)
  await resetBenchDatabase(db)
  await migrate(db)
  const raw = await openRawDb(db)
  let server: Awaited<ReturnType<typeof startHubServer>> | undefined
  try {
    server = await startHubServer({
      env: hubEnv(db, {
        // The limiter would otherwise cap a merchant at 30,000 requests a minute.
        INTAKE_RATE_PER_MINUTE: '1000000000',
        // The single-process default, whatever a local .env says.
        LIMITER_STORE: 'memory',
        // By default the server dispatches every new order in-process; that work
        // would share the CPU with intake and blur what intake itself costs.
        // --dispatch keeps the defaults to show the combined load.
        ...(config.dispatch ? {} : { DISPATCH_ON_INTAKE: 'false', DISPATCH_WORKER: 'false' }),
      }),
      logFile: `tmp/bench/intake-server-${kind}.log`,
      nodeArgs: config.profile ? ['--cpu-prof', `--cpu-prof-dir=tmp/bench/profiles-${kind}`] : [],
    })
    log(`${kind}: server pid ${server.pid} at ${server.url}`)
    const tenant = await seedTenant(raw)
    const batch = config.parts.has('batch')
      ? await batchRuns(kind, server.url, server.pid, raw, tenant)
      : undefined
    const latency = config.parts.has('single')
      ? await latencyRuns(kind, server.url, server.pid, raw, tenant)
      : []
    return { kind, batch, latency }
  } finally {
    await server?.stop()
    await raw.close()
    log(`${kind}: server stopped`)
  }
}

function loadAverage() {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')
}

function printReports(reports: DbReport[], loadAtStart: string) {
  const perSecond = (ms: number) => (config.batchSize * 1000) / ms
  const meanOf = (values: (number | null)[]) =>
    values.some((v) => v === null)
      ? Number.NaN
      : (values as number[]).reduce((sum, v) => sum + v, 0) / values.length
  const out: string[] = ['']
  out.push(
    `Intake bench, run ${RUN_TAG}: ${cpus().length} CPU(s) ${cpus()[0]?.model ?? ''}, ` +
      `Node ${process.version}; load average at start ${loadAtStart}, at end ${loadAverage()}`
  )
  out.push(
    config.dispatch
      ? 'Dispatch: on (server defaults: every accepted order is dispatched in the server process).'
      : 'Dispatch: off (DISPATCH_ON_INTAKE=false, DISPATCH_WORKER=false): intake cost only.'
  )

  const withBatch = reports.filter((r) => r.batch)
  if (withBatch.length > 0) {
    out.push('')
    out.push(
      `1. Batch intake: ${config.batchSize} orders per POST /api/v1/orders/batch, median of ${config.reps} (after 1 warm-up).`
    )
    out.push(
      '   raw = the same rows (hub toOrderRow) and a batch row in one transaction via the raw driver;'
    )
    out.push(
      `   raw(500): the hub's chunking, ${HUB_INSERT_CHUNK} rows per INSERT; raw(max): one INSERT on MySQL, on SQLite`
    )
    out.push(
      '   as few as its 32,766 bound-variable limit allows. CPU ms = mean per batch of the hub server process'
    )
    out.push(
      '   (all threads) / of the raw driver; CPU wait ms = time the hub event loop was runnable but had no CPU.'
    )
    const rows = withBatch.map((r) => {
      const b = r.batch!
      const hub = median(b.hubMs)
      const chunked = median(b.rawChunkedMs)
      const max = median(b.rawMaxMs)
      const ratio = chunked / hub
      return [
        r.kind,
        fixed(hub),
        `${fixed(Math.min(...b.hubMs))}–${fixed(Math.max(...b.hubMs))}`,
        grouped(perSecond(hub)),
        fixed(meanOf(b.hubCpuMs), 0),
        fixed(meanOf(b.hubWaitMs), 0),
        fixed(chunked),
        grouped(perSecond(chunked)),
        fixed(meanOf(b.rawChunkedCpuMs), 0),
        grouped(perSecond(max)),
        `${fixed(ratio * 100, 0)}%`,
        `${fixed((max / hub) * 100, 0)}%`,
        ratio >= BATCH_GOAL_RATIO ? 'met' : 'MISSED',
        grouped(b.ordersAfter),
      ]
    })
    out.push(
      table(
        [
          'db',
          'hub ms',
          'hub range',
          'hub orders/s',
          'hub CPU ms',
          'CPU wait ms',
          'raw(500) ms',
          'raw(500) orders/s',
          'raw CPU ms',
          'raw(max) orders/s',
          'hub/raw(500)',
          'hub/raw(max)',
          `≥${BATCH_GOAL_RATIO * 100}%`,
          'orders rows',
        ],
        rows
      )
    )
  }

  const withLatency = reports.filter((r) => r.latency.length > 0)
  if (withLatency.length > 0) {
    out.push('')
    out.push(
      `2. Single POST /api/v1/orders at a fixed ${config.rate} req/s for ${config.durationS} s each, unique external_id per request.`
    )
    out.push(
      `   Latency in ms over every response. autocannon: overallRate over ${config.connections} connections, each sending`
    )
    out.push(
      `   its ${fixed(config.rate / config.connections, 0)} requests back to back at the top of each second (bursts). paced: one request every`
    )
    out.push(
      `   ${fixed(1000 / config.rate, 2)} ms, open loop, latency from the scheduled send time. CPU ms = hub server CPU per`
    )
    out.push(
      '   request; CPU wait ms = total time in the run the hub event loop was runnable but had no CPU (other load).'
    )
    const rows: string[][] = []
    const statuses: string[] = []
    for (const r of withLatency) {
      for (const run of r.latency) {
        const result = run.result
        rows.push([
          `${r.kind} ${run.label}`,
          fixed(result.p50, 2),
          fixed(result.p90, 2),
          fixed(result.p99, 2),
          fixed(result.max, 2),
          fixed(result.achievedRate),
          String(result.responses),
          String(result.non2xx),
          String(result.errors + ('timeouts' in result ? result.timeouts : 0)),
          String(run.stored),
          fixed(run.serverCpuMsPerRequest ?? Number.NaN, 2),
          fixed(run.serverWaitMs ?? Number.NaN, 0),
          result.p99 < LATENCY_GOAL_P99_MS ? 'met' : 'MISSED',
        ])
        statuses.push(`${r.kind} ${run.label} ${JSON.stringify(result.statusCounts)}`)
      }
    }
    out.push(
      table(
        [
          'run',
          'p50',
          'p90',
          'p99',
          'max',
          'req/s',
          'responses',
          'non-2xx',
          'errors',
          'rows stored',
          'CPU ms',
          'CPU wait ms',
          `p99<${LATENCY_GOAL_P99_MS}ms`,
        ],
        rows
      )
    )
    out.push('')
    out.push(`Status codes: ${statuses.join('; ')}`)
  }
  process.stdout.write(`${out.join('\n')}\n`)
}

const loadAtStart = loadAverage()
const reports: DbReport[] = []
for (const kind of config.dbs) {
  reports.push(await benchDatabase(kind))
}
printReports(reports, loadAtStart)
