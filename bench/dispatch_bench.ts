/*
 * Dispatch benchmark (issue 6 item 7), not a test: a 10,000-order batch from POS
 * intake to a carrier, against the carrier sandbox over loopback HTTP.
 *
 *   bash bench/dispatch.sh                          # baseline, MySQL+Redis (1 and 2 workers), SQLite
 *   bash bench/dispatch.sh --phases mysql --workers 2 --profile
 *
 * Phases, each with a fresh database, a fresh sandbox process and fresh hub processes:
 *
 * - baseline: no hub. The same orders go straight to the sandbox: per order, every
 *   carrier account of the store is quoted and the cheapest gets the delivery,
 *   through the shipped plugins' own code (dispatch_baseline.ts).
 * - mysql: MySQL + Redis (BullMQ), one web process (DISPATCH_WORKER=false) that
 *   takes the intake and the carriers' callbacks, and N `node ace dispatch:work`
 *   processes, once per --workers entry.
 * - sqlite: the embedded deployment, one hub process with its in-process queue.
 *
 * A hub phase: reset + migrate the bench database, start the sandbox, set up the
 * tenant, plugins and carrier accounts like `node ace demo:setup --sandbox`
 * (dispatch_setup.ts), start the hub processes, dispatch a small warm-up batch,
 * then POST the measured orders as batches of --batch-size (5,000) back to back
 * and poll the database until every order has left created/quoting (dispatched)
 * and, bounded by --accept-wait, until none is waiting for a carrier to accept.
 * --phase-timeout (100 s) cuts a phase that has not finished: the rates are then
 * over that window, which keeps the whole run near 9 minutes on 2 cores.
 * Every child process is stopped by PID in the phase's `finally`.
 *
 * Besides the rates it reports each process's CPU per dispatched order (by thread:
 * event loop, plugin workers, V8 helpers), peak RSS, MySQL/Redis statements per
 * order and rows written, which is what docs/performance.md's analysis rests on.
 */
import { parseArgs } from 'node:util'
import { cpus, loadavg, totalmem } from 'node:os'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { benchDb, hubEnv, HUB_ROOT, type DbKind } from './lib/hub_env.js'
import { openRawDb, resetBenchDatabase, type RawDb } from './lib/database.js'
import { freePort, processCpuMs } from './lib/server.js'
import { fixed, grouped, percentile, table } from './lib/stats.js'
import {
  httpOk,
  memoryMiB,
  pidsByCommand,
  runTracked,
  spawnTracked,
  threadCpuMs,
  waitReady,
  type BenchProcess,
} from './lib/dispatch_processes.js'
import { hubBenchOrder, posBenchOrder } from './lib/dispatch_orders.js'
import type { DispatchSetupResult } from './lib/dispatch_setup.js'
import {
  baselineAccounts,
  dispatchDirect,
  startCallbackSink,
  type BaselineCounts,
} from './lib/dispatch_baseline.js'
import { summarizeProfile } from './lib/dispatch_profile.js'
import { InspectorProfiler } from './lib/dispatch_inspector.js'

const { values: args } = parseArgs({
  options: {
    'phases': { type: 'string', default: 'baseline,mysql,sqlite' },
    'workers': { type: 'string', default: '1,2' },
    'orders': { type: 'string', default: '10000' },
    'batch-size': { type: 'string', default: '5000' },
    'warmup': { type: 'string', default: '100' },
    'concurrency': { type: 'string', default: '64' },
    'speed': { type: 'string', default: '2' },
    'accept-wait': { type: 'string', default: '20' },
    'phase-timeout': { type: 'string', default: '100' },
    'profile': { type: 'boolean', default: false },
  },
})

function boundedInt(raw: string, min: number, max: number, name: string) {
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`--${name} must be an integer from ${min} to ${max}`)
  }
  return value
}

const config = {
  phases: new Set(args.phases!.split(',').map((p) => p.trim())),
  workers: args.workers!.split(',').map((w) => boundedInt(w.trim(), 1, 4, 'workers')),
  orders: boundedInt(args.orders!, 1, 50_000, 'orders'),
  batchSize: boundedInt(args['batch-size']!, 1, 5000, 'batch-size'),
  warmup: boundedInt(args.warmup!, 0, 5000, 'warmup'),
  concurrency: boundedInt(args.concurrency!, 1, 512, 'concurrency'),
  speed: boundedInt(args.speed!, 1, 3600, 'speed'),
  acceptWaitMs: boundedInt(args['accept-wait']!, 0, 600, 'accept-wait') * 1000,
  phaseTimeoutMs: boundedInt(args['phase-timeout']!, 10, 1800, 'phase-timeout') * 1000,
  profile: args.profile!,
}
for (const phase of config.phases) {
  if (!['baseline', 'mysql', 'sqlite'].includes(phase))
    throw new Error(`--phases: unknown "${phase}"`)
}

/** Distinct per run: external ids, queue names and file names never collide with an earlier run. */
const RUN_TAG = Date.now().toString(36)
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'
const POLL_MS = 500
const GOAL_ORDERS_PER_S = 1000
const SANDBOX_SEED = 42
/**
 * The sandbox clock starts at 13:30 China time today and runs --speed sandbox
 * minutes per real second. The default 2 makes acceptance fast (a carrier's mean
 * acceptance delay of 45-70 sandbox seconds becomes ~0.5 s) while a two-minute
 * phase stays in the quiet afternoon (13:30-17:30: no lunch or dinner peak, so no
 * capacity refusals that would differ between phases). Today rather than a fixed
 * date keeps callback timestamps near the wall clock.
 */
const SANDBOX_START = `${new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)}T13:30:00+08:00`
const ACCEPTED_OR_LATER = ['accepted', 'arrived_at_store', 'picked_up', 'delivering', 'delivered']

function log(message: string) {
  process.stderr.write(`[dispatch-bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`)
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(30_000) })
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`)
  return response.json()
}

interface ProcessFigures {
  name: string
  pid: number
  /** CPU seconds per thread name during the measured window (hub processes). */
  threads?: Record<string, number>
  /** VmHWM when the phase ended: the peak since the process started, warm-up included. */
  peakRssMiB: number | null
  /** CPU (all threads) used during the measured window, seconds. */
  cpuS: number | null
}

interface PhaseResult {
  label: string
  kind: 'baseline' | DbKind
  workers: number
  orders: number
  dispatched: number
  failed: number
  /** First intake (or start) to the last order dispatched, ms. */
  dispatchSpanMs: number
  dispatchedPerS: number
  p50Ms: number
  p99Ms: number
  accepted: number
  /** First intake to the last acceptance seen, ms (null when none). */
  acceptSpanMs: number | null
  accept99Ms: number | null
  acceptedPerS: number
  stillAwaitingAccept: number
  /** The hub phase hit --phase-timeout with orders not yet dispatched. */
  cutOff: boolean
  intakeMs: number[]
  hub: ProcessFigures[]
  others: ProcessFigures[]
  sandbox: SandboxTotals | null
  details: string[]
}

interface SandboxTotals {
  requests: number
  quotesOk: number
  quotesRefused: number
  deliveries: number
  callbacksSent: number
  callbacksFailed: number
  callbackRetries: number
  states: Record<string, number>
}

/** The carrier sandbox as its own process (`node ace sandbox:carriers`), like bin/demo. */
async function startSandboxProcess(tag: string, hubUrl: string) {
  const port = await freePort()
  const inspect = await inspectPort()
  const url = `http://127.0.0.1:${port}`
  const proc = spawnTracked({
    name: 'sandbox',
    args: [
      ...inspectArgs(inspect),
      'ace',
      'sandbox:carriers',
      '--port',
      String(port),
      '--seed',
      String(SANDBOX_SEED),
      '--speed',
      String(config.speed),
      '--start-at',
      SANDBOX_START,
      '--hub-url',
      hubUrl,
    ],
    env: { ...process.env, NODE_ENV: 'production', TZ: 'UTC' },
    logFile: `tmp/bench/dispatch-${RUN_TAG}-${tag}-sandbox.log`,
  })
  await waitReady(proc, () => httpOk(`${url}/_control`), 60_000)
  // Clear skies everywhere: rain would shift prices and capacity between phases.
  const weather = await fetch(`${url}/_control/weather/*`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ condition: 'clear' }),
  })
  if (!weather.ok)
    throw new Error(`sandbox weather: HTTP ${weather.status} ${await weather.text()}`)
  return { proc, url, inspect }
}

async function sandboxTotals(url: string): Promise<SandboxTotals> {
  const records = (await getJson(`${url}/_control/records?summary=1`)) as {
    carriers: Record<
      string,
      {
        requests: { total: number }
        quotes: { ok: number; no_capacity: number; out_of_range: number }
        deliveries: { created: number }
        callbacks: { sent: number; failed: number; retries: number }
        states: Record<string, number>
      }
    >
  }
  const totals: SandboxTotals = {
    requests: 0,
    quotesOk: 0,
    quotesRefused: 0,
    deliveries: 0,
    callbacksSent: 0,
    callbacksFailed: 0,
    callbackRetries: 0,
    states: {},
  }
  for (const tally of Object.values(records.carriers)) {
    totals.requests += tally.requests.total
    totals.quotesOk += tally.quotes.ok
    totals.quotesRefused += tally.quotes.no_capacity + tally.quotes.out_of_range
    totals.deliveries += tally.deliveries.created
    totals.callbacksSent += tally.callbacks.sent
    totals.callbacksFailed += tally.callbacks.failed
    totals.callbackRetries += tally.callbacks.retries
    for (const [state, n] of Object.entries(tally.states)) {
      totals.states[state] = (totals.states[state] ?? 0) + n
    }
  }
  return totals
}

/** Why the sandbox's callbacks failed (after all retries), by carrier, HTTP status and error. */
async function callbackFailures(url: string) {
  const records = (await getJson(`${url}/_control/records`)) as {
    callbacks?: { carrier: string; outcome: string; httpStatus: number | null; error?: string }[]
  }
  const reasons = new Map<string, number>()
  for (const entry of records.callbacks ?? []) {
    if (entry.outcome !== 'failed') continue
    const key = `${entry.carrier} ${entry.httpStatus ?? ''} ${entry.error ?? ''}`.trim()
    reasons.set(key, (reasons.get(key) ?? 0) + 1)
  }
  return [...reasons.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([reason, n]) => `${n}× ${reason}`)
}

/** CPU of the shared services (MySQL/MariaDB, Redis), to show where the two cores went. */
function servicePids() {
  const found = pidsByCommand(['mysqld', 'mariadbd', 'redis-server'])
  return [...found.entries()].flatMap(([name, pids]) => pids.map((pid) => ({ name, pid })))
}

/** CPU used by each process between `start()` and `stop()`. */
function cpuWindow(procs: { name: string; pid: number }[]) {
  const before = new Map(procs.map((p) => [p.pid, processCpuMs(p.pid)]))
  const threadsBefore = new Map(procs.map((p) => [p.pid, threadCpuMs(p.pid)]))
  const selfBefore = process.cpuUsage()
  return {
    stop() {
      const figures = procs.map(({ name, pid }) => {
        const start = before.get(pid)
        const end = processCpuMs(pid)
        // Per thread name: event loop vs plugin worker threads vs GC/compiler helpers.
        const threads: Record<string, number> = {}
        const startThreads = threadsBefore.get(pid) ?? new Map<string, number>()
        for (const [thread, ms] of threadCpuMs(pid)) {
          const used = (ms - (startThreads.get(thread) ?? 0)) / 1000
          // One figure for all carrier plugin worker threads (named carrier:<id>@<version>).
          const group = thread.startsWith('carrier:') ? 'plugin workers' : thread
          threads[group] = (threads[group] ?? 0) + used
        }
        for (const [group, used] of Object.entries(threads)) {
          if (used < 0.05) delete threads[group]
          else threads[group] = Math.round(used * 10) / 10
        }
        return {
          name,
          pid,
          cpuS: start === null || start === undefined || end === null ? null : (end - start) / 1000,
          threads,
        }
      })
      const self = process.cpuUsage(selfBefore)
      return { figures, benchCpuS: (self.user + self.system) / 1e6 }
    },
  }
}

/** MySQL/MariaDB server-wide counters: statements, commits and redo-log fsyncs. */
const MYSQL_COUNTERS = [
  'Questions',
  'Com_select',
  'Com_insert',
  'Com_update',
  'Com_delete',
  'Com_commit',
  'Innodb_data_fsyncs',
]

async function mysqlCounters(raw: RawDb) {
  const rows = await raw.all<{ Variable_name: string; Value: string }>(
    `show global status where Variable_name in (${MYSQL_COUNTERS.map(() => '?').join(', ')})`,
    MYSQL_COUNTERS
  )
  return new Map(rows.map((row) => [row.Variable_name, Number(row.Value)]))
}

/** Commands Redis has processed since it started (INFO stats). */
async function redisCommands() {
  const url = new URL(REDIS_URL)
  const redis = new Redis({ host: url.hostname, port: Number(url.port || 6379), lazyConnect: true })
  try {
    await redis.connect()
    const info = await redis.info('stats')
    return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? Number.NaN)
  } finally {
    redis.disconnect()
  }
}

function acceptanceFigures(curve: { at: number; accepted: number }[], t0: number) {
  const final = curve.at(-1)?.accepted ?? 0
  if (final === 0) return { accepted: 0, acceptSpanMs: null, accept99Ms: null }
  const lastChange = curve.find((point) => point.accepted === final)!
  const at99 = curve.find((point) => point.accepted >= final * 0.99)!
  return { accepted: final, acceptSpanMs: lastChange.at - t0, accept99Ms: at99.at - t0 }
}

const PROFILE_DIR = `tmp/bench/dispatch-profiles-${RUN_TAG}`
/** Where hub processes unpack the carrier plugins (PLUGINS_DIR), removed after each phase. */
const PLUGINS_ROOT = `tmp/bench/dispatch-plugins-${RUN_TAG}`
/** CPU profiles written with --profile, summarised after the report. */
const profiles: { phase: string; name: string; pid: number; file: string }[] = []

/** With --profile: a loopback inspector port for a child (null otherwise). */
async function inspectPort() {
  return config.profile ? await freePort() : null
}

const inspectArgs = (port: number | null) => (port ? [`--inspect=127.0.0.1:${port}`] : [])

/**
 * With --profile, profiles the main thread of each process for exactly the
 * measured window (between `start()` and `stop()`); without, does nothing.
 */
async function windowProfiler(
  phase: string,
  targets: { proc: BenchProcess; port: number | null }[]
) {
  const connected: { proc: BenchProcess; profiler: InspectorProfiler }[] = []
  for (const { proc, port } of targets) {
    if (port) connected.push({ proc, profiler: await InspectorProfiler.connect(port) })
  }
  return {
    async start() {
      await Promise.all(connected.map(({ profiler }) => profiler.start()))
    },
    async stop() {
      if (connected.length) await mkdir(join(HUB_ROOT, PROFILE_DIR), { recursive: true })
      for (const { proc, profiler } of connected) {
        const file = `${PROFILE_DIR}/${phase}-${proc.name.replace(/\W+/g, '')}-${proc.pid}.cpuprofile`
        await profiler.stopTo(join(HUB_ROOT, file))
        profiler.close()
        profiles.push({ phase, name: proc.name, pid: proc.pid, file })
      }
    },
  }
}

interface ServiceSample {
  at: number
  mysql: Map<string, number>
  redisCommands: number
  cpuMs: Map<number, number>
}

async function sampleServices(raw: RawDb, services: { pid: number }[]): Promise<ServiceSample> {
  return {
    at: Date.now(),
    mysql: await mysqlCounters(raw),
    redisCommands: await redisCommands(),
    cpuMs: new Map(services.map(({ pid }) => [pid, processCpuMs(pid) ?? Number.NaN])),
  }
}

/**
 * MySQL and Redis are shared with whoever else uses this machine (other test runs).
 * Their server-wide counters and CPU are sampled for a few seconds before a phase
 * too; `background` scales that rate to the phase, as an estimate of what was not
 * ours.
 */
function serviceUse(
  idle0: ServiceSample,
  idle1: ServiceSample,
  start: ServiceSample,
  end: ServiceSample
) {
  const scale = (end.at - start.at) / Math.max(1, idle1.at - idle0.at)
  const counter = (name: string) => ({
    phase: (end.mysql.get(name) ?? 0) - (start.mysql.get(name) ?? 0),
    background: ((idle1.mysql.get(name) ?? 0) - (idle0.mysql.get(name) ?? 0)) * scale,
  })
  const cpu = (pid: number) => ({
    phase: ((end.cpuMs.get(pid) ?? 0) - (start.cpuMs.get(pid) ?? 0)) / 1000,
    background: (((idle1.cpuMs.get(pid) ?? 0) - (idle0.cpuMs.get(pid) ?? 0)) * scale) / 1000,
  })
  return {
    counter,
    cpu,
    redis: {
      phase: end.redisCommands - start.redisCommands,
      background: (idle1.redisCommands - idle0.redisCommands) * scale,
    },
  }
}

// ---------------------------------------------------------------------------
// Baseline: no hub

/** Waits (bounded) until the sandbox holds no delivery still waiting for a rider. */
async function drainSandbox(url: string, deadline: number) {
  let waiting = Number.POSITIVE_INFINITY
  while (Date.now() < deadline) {
    const totals = await sandboxTotals(url)
    waiting = totals.states.waiting ?? 0
    if (waiting === 0) break
    await sleep(POLL_MS)
  }
  return Number.isFinite(waiting) ? waiting : 0
}

/**
 * Wall-clock acceptance times of the deliveries created at or after `sinceWall`,
 * from the sandbox's own records: history times are sandbox times, converted
 * back with the clock (sandbox ms per real ms = speed × 60).
 */
async function sandboxAcceptances(url: string, sinceWall: number) {
  const clock = (await getJson(`${url}/_control/clock`)) as {
    now: string
    wallNow: string
    speed: number
  }
  const toWall = (sandboxIso: string) =>
    Date.parse(clock.wallNow) -
    (Date.parse(clock.now) - Date.parse(sandboxIso)) / (clock.speed * 60)
  const records = (await getJson(`${url}/_control/records`)) as {
    deliveries?: { createdAt: string; history: { state: string; at: string }[] }[]
  }
  const acceptedAt: number[] = []
  let created = 0
  for (const delivery of records.deliveries ?? []) {
    if (toWall(delivery.createdAt) < sinceWall - 50) continue
    created += 1
    const accepted = delivery.history.find((entry) => entry.state === 'accepted')
    if (accepted) acceptedAt.push(toWall(accepted.at))
  }
  return { created, acceptedAt: acceptedAt.sort((a, b) => a - b) }
}

async function baselinePhase(): Promise<PhaseResult> {
  const tag = 'baseline'
  const sink = await startCallbackSink()
  let sandbox: Awaited<ReturnType<typeof startSandboxProcess>> | undefined
  try {
    sandbox = await startSandboxProcess(tag, sink.url)
    const { accounts, skipped } = await baselineAccounts(sandbox.url, `${sink.url}/callbacks`)
    log(
      `baseline: sandbox pid ${sandbox.proc.pid}, ${accounts.length} carrier accounts (2 stores)` +
        `${Object.keys(skipped).length ? `; left out as the hub would: ${Object.keys(skipped).join(', ')}` : ''}`
    )
    const orders = (count: number, offset: number, prefix: string) =>
      Array.from({ length: count }, (_, i) => ({
        order: hubBenchOrder(offset + i, `${prefix}${offset + i + 1}`, `${RUN_TAG}-${prefix}${i}`),
        storeIndex: (offset + i) % 2,
      }))
    const noCounts = (): BaselineCounts => ({
      quotes: 0,
      quoteFailures: 0,
      creates: 0,
      createFailures: 0,
      unplaced: 0,
    })
    if (config.warmup > 0) {
      await dispatchDirect(
        accounts,
        orders(config.warmup, 100_000, 'w'),
        config.concurrency,
        noCounts()
      )
      // The warm-up's deliveries must not be waiting when the measured ones go out.
      await drainSandbox(sandbox.url, Date.now() + 30_000)
    }
    const measured = orders(config.orders, 0, 'b')
    const counts = noCounts()
    const profiler = await windowProfiler(tag, [{ proc: sandbox.proc, port: sandbox.inspect }])
    const cpu = cpuWindow([{ name: 'sandbox', pid: sandbox.proc.pid }])
    await profiler.start()
    const t0 = Date.now()
    const doneAt = await dispatchDirect(accounts, measured, config.concurrency, counts)
    const lastDone = Math.max(...doneAt.map((at) => at ?? 0))
    log(
      `baseline: ${config.orders} orders placed in ${fixed((lastDone - t0) / 1000)} s; waiting for acceptance`
    )
    const stillWaiting = await drainSandbox(
      sandbox.url,
      Math.min(t0 + config.phaseTimeoutMs, lastDone + config.acceptWaitMs)
    )
    const { figures, benchCpuS } = cpu.stop()
    await profiler.stop()
    const acceptances = await sandboxAcceptances(sandbox.url, t0)
    const latencies = doneAt
      .filter((at): at is number => at !== null)
      .map((at) => at - t0)
      .sort((a, b) => a - b)
    const accepted = acceptances.acceptedAt.length
    const acceptSpanMs = accepted ? acceptances.acceptedAt[accepted - 1] - t0 : null
    const totals = await sandboxTotals(sandbox.url)
    return {
      label: 'baseline: no hub',
      kind: 'baseline',
      workers: 0,
      orders: config.orders,
      dispatched: latencies.length,
      failed: counts.unplaced,
      dispatchSpanMs: lastDone - t0,
      dispatchedPerS: latencies.length / ((lastDone - t0) / 1000),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      accepted,
      acceptSpanMs,
      accept99Ms: accepted ? acceptances.acceptedAt[Math.ceil(accepted * 0.99) - 1] - t0 : null,
      acceptedPerS: acceptSpanMs ? accepted / (acceptSpanMs / 1000) : 0,
      stillAwaitingAccept: stillWaiting,
      cutOff: false,
      intakeMs: [],
      hub: [
        {
          name: 'bench process (no-hub client)',
          pid: process.pid,
          peakRssMiB: memoryMiB(process.pid)?.peak ?? null,
          cpuS: benchCpuS,
        },
      ],
      others: figures.map((f) => ({
        ...f,
        peakRssMiB: f.name === 'sandbox' ? (memoryMiB(f.pid)?.peak ?? null) : null,
      })),
      sandbox: totals,
      details: [
        `quote calls ${counts.quotes} (${counts.quoteFailures} refused/failed), create calls ` +
          `${counts.creates} (${counts.createFailures} failed), unplaced ${counts.unplaced}; ` +
          `deliveries created after t0 ${acceptances.created}; callbacks acknowledged by the sink ${sink.received()}`,
        ...skippedLines(skipped),
      ],
    }
  } finally {
    await sandbox?.proc.stop()
    await sink.close()
  }
}

function skippedLines(skipped: Record<string, string>) {
  return Object.entries(skipped).map(
    ([carrier, reason]) =>
      `${carrier} left out (its account settings fail the plugin's configSchema): ${reason.slice(0, 300)}`
  )
}

// ---------------------------------------------------------------------------
// Hub phases

interface HubSpec {
  kind: DbKind
  /** dispatch:work processes beside the web process; 0 = the embedded single process. */
  workers: number
}

async function postBatch(hubUrl: string, apiKey: string, orders: unknown[]) {
  const body = JSON.stringify({ orders })
  const started = performance.now()
  const response = await fetch(`${hubUrl}/api/v1/orders/batch`, {
    method: 'POST',
    headers: { 'authorization': `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(120_000),
  })
  const text = await response.text()
  const ms = performance.now() - started
  if (response.status !== 201)
    throw new Error(`batch: HTTP ${response.status}: ${text.slice(0, 500)}`)
  const batch = (JSON.parse(text) as { data: { batch: { id: number; accepted: number } } }).data
    .batch
  if (batch.accepted !== orders.length) {
    throw new Error(
      `batch ${batch.id}: ${batch.accepted} of ${orders.length} accepted: ${text.slice(0, 500)}`
    )
  }
  return { id: Number(batch.id), ms }
}

async function statusCounts(raw: RawDb, batchIds: number[]) {
  // "Ever dispatched", even when back in quoting after a reassignment:
  // dispatched_at_ms is set at dispatch and never cleared. An order whose carrier's
  // callback outran the create answer moves past dispatching without it, so the
  // status counts too.
  const past = ['dispatching', ...ACCEPTED_OR_LATER]
  const rows = await raw.all<{ status: string; n: number; ever: number }>(
    `select status, count(*) as n, sum(case when dispatched_at_ms is not null or status in (${past.map(() => '?').join(', ')}) then 1 else 0 end) as ever from orders where batch_id in (${batchIds.map(() => '?').join(', ')}) group by status`,
    [...past, ...batchIds]
  )
  const counts: Record<string, number> = {}
  let ever = 0
  for (const row of rows) {
    counts[row.status] = Number(row.n)
    ever += Number(row.ever)
  }
  const sum = (statuses: string[]) => statuses.reduce((total, s) => total + (counts[s] ?? 0), 0)
  return {
    counts,
    ever,
    open: sum(['created', 'quoting']),
    awaiting: sum(['dispatching']),
    accepted: sum(ACCEPTED_OR_LATER),
  }
}

/** Every hub process has all plugins loaded (its plugin_node_statuses rows say ready). */
async function pluginsReady(raw: RawDb, pids: number[], plugins: number) {
  const rows = await raw.all<{ node_id: string; n: number }>(
    "select node_id, count(*) as n from plugin_node_statuses where state = 'ready' group by node_id"
  )
  return pids.every((pid) =>
    rows.some((row) => row.node_id.endsWith(`:${pid}`) && Number(row.n) >= plugins)
  )
}

async function hubPhase(spec: HubSpec): Promise<PhaseResult> {
  const chain = spec.kind === 'mysql'
  const tag = chain ? `mysql-w${spec.workers}` : 'sqlite'
  const label = chain
    ? `MySQL + Redis: 1 web + ${spec.workers} worker${spec.workers > 1 ? 's' : ''}`
    : 'SQLite: 1 hub process'
  const db = benchDb(spec.kind, 'dispatch_bench')
  const procs: BenchProcess[] = []
  const queueName = `dispatch-bench-${RUN_TAG}-${tag}`
  let raw: RawDb | undefined
  try {
    log(`${label}: fresh database and migrations`)
    await resetBenchDatabase(db)
    await runTracked({
      name: 'migrations',
      args: ['ace', 'migration:run', '--force'],
      env: hubEnv(db),
      logFile: `tmp/bench/dispatch-${RUN_TAG}-${tag}-migrate.log`,
      timeoutMs: 120_000,
    })

    const hubPort = await freePort()
    const hubUrl = `http://127.0.0.1:${hubPort}`
    const sandbox = await startSandboxProcess(tag, hubUrl)
    procs.push(sandbox.proc)
    const env = (name: string, extra: Record<string, string> = {}) => {
      const pluginsDir = `${PLUGINS_ROOT}/${tag}-${name}`
      return hubEnv(db, {
        // Intake: a 5,000-order batch is one request; no limiter in the way.
        INTAKE_RATE_PER_MINUTE: '1000000000',
        // As bin/demo: the rules see the sandbox's weather, plugins may call it.
        WEATHER_SOURCE: 'sandbox',
        SANDBOX_URL: sandbox.url,
        PLUGIN_EXTRA_EGRESS: '127.0.0.1',
        PLUGINS_DIR: pluginsDir,
        DISPATCH_ON_INTAKE: 'true',
        DISPATCH_CONCURRENCY: String(config.concurrency),
        REDIS_URL: chain ? REDIS_URL : '',
        DISPATCH_QUEUE: queueName,
        ...extra,
      })
    }

    log(`${label}: tenant, carrier plugins and sandbox accounts (as demo:setup)`)
    const setupFile = join(HUB_ROOT, `tmp/bench/dispatch-${RUN_TAG}-${tag}-setup.json`)
    await runTracked({
      name: 'setup',
      args: ['--import=@poppinss/ts-exec', 'bench/lib/dispatch_setup.ts', setupFile],
      env: { ...env('setup'), BENCH_SANDBOX_URL: sandbox.url, BENCH_HUB_URL: hubUrl },
      logFile: `tmp/bench/dispatch-${RUN_TAG}-${tag}-setup.log`,
      timeoutMs: 180_000,
    })
    const setup = JSON.parse(await readFile(setupFile, 'utf8')) as DispatchSetupResult
    await rm(setupFile, { force: true })

    const inspectPorts = new Map<BenchProcess, number | null>([[sandbox.proc, sandbox.inspect]])
    const webInspect = await inspectPort()
    const web = spawnTracked({
      name: chain ? 'web' : 'hub',
      args: ['--import=@poppinss/ts-exec', ...inspectArgs(webInspect), 'bin/server.ts'],
      env: env('web', { PORT: String(hubPort), DISPATCH_WORKER: chain ? 'false' : 'true' }),
      logFile: `tmp/bench/dispatch-${RUN_TAG}-${tag}-web.log`,
    })
    procs.push(web)
    inspectPorts.set(web, webInspect)
    const hubProcs = [web]
    await waitReady(web, () => httpOk(`${hubUrl}/health`), 90_000)
    for (let i = 1; i <= spec.workers && chain; i++) {
      const workerInspect = await inspectPort()
      const worker = spawnTracked({
        name: `worker ${i}`,
        args: [...inspectArgs(workerInspect), 'ace', 'dispatch:work'],
        env: env(`worker${i}`),
        logFile: `tmp/bench/dispatch-${RUN_TAG}-${tag}-worker${i}.log`,
      })
      procs.push(worker)
      inspectPorts.set(worker, workerInspect)
      hubProcs.push(worker)
    }
    for (const worker of hubProcs.slice(1)) {
      await waitReady(
        worker,
        async () => {
          const output = await readFile(join(HUB_ROOT, worker.logFile), 'utf8')
          return output.includes('consuming')
        },
        90_000
      )
    }
    raw = await openRawDb(db)
    const rawDb = raw
    await waitReady(
      web,
      () =>
        pluginsReady(
          rawDb,
          hubProcs.map((p) => p.pid),
          setup.plugins.length
        ),
      60_000
    )
    log(
      `${label}: sandbox ${sandbox.proc.pid}, ${hubProcs.map((p) => `${p.name} ${p.pid}`).join(', ')}; ` +
        `${setup.links.length} carrier accounts` +
        `${Object.keys(setup.skipped).length ? `; left out: ${Object.keys(setup.skipped).join(', ')}` : ''}`
    )
    const storeIds = setup.stores.map((store) => store.id)

    if (config.warmup > 0) {
      const warm = await postBatch(
        hubUrl,
        setup.apiKey,
        Array.from({ length: config.warmup }, (_, i) =>
          posBenchOrder(100_000 + i, storeIds, `${RUN_TAG}-w-${i}`)
        )
      )
      const deadline = Date.now() + 90_000
      while (Date.now() < deadline) {
        const counts = await statusCounts(raw, [warm.id])
        if (counts.open === 0 && counts.awaiting === 0) break
        await sleep(POLL_MS)
      }
      const counts = await statusCounts(raw, [warm.id])
      log(`${label}: warm-up ${config.warmup} orders: ${JSON.stringify(counts.counts)}`)
    }

    const services = chain ? servicePids() : []
    let idle: [ServiceSample, ServiceSample] | null = null
    if (chain) {
      const first = await sampleServices(raw, services)
      await sleep(5_000)
      idle = [first, await sampleServices(raw, services)]
    }
    const cpu = cpuWindow([
      ...hubProcs.map((p) => ({ name: p.name, pid: p.pid })),
      { name: 'sandbox', pid: sandbox.proc.pid },
      ...services,
    ])
    const servicesAtStart = chain ? await sampleServices(raw, services) : null
    const profiler = await windowProfiler(
      tag,
      [...hubProcs, sandbox.proc].map((proc) => ({ proc, port: inspectPorts.get(proc) ?? null }))
    )
    await profiler.start()
    const t0 = Date.now()
    const batchIds: number[] = []
    const intakeMs: number[] = []
    for (let first = 0; first < config.orders; first += config.batchSize) {
      const count = Math.min(config.batchSize, config.orders - first)
      const batch = await postBatch(
        hubUrl,
        setup.apiKey,
        Array.from({ length: count }, (_, i) =>
          posBenchOrder(first + i, storeIds, `${RUN_TAG}-${first + i}`)
        )
      )
      batchIds.push(batch.id)
      intakeMs.push(batch.ms)
    }
    log(
      `${label}: ${config.orders} orders taken in ${intakeMs.map((ms) => fixed(ms, 0)).join(' + ')} ms`
    )

    // Poll until nothing is open (dispatched) and nothing awaits acceptance,
    // bounded by the phase timeout and by --accept-wait after the last dispatch.
    const curve: { at: number; accepted: number }[] = []
    const everCurve: { at: number; ever: number }[] = []
    let dispatchedAt: number | null = null
    let last = await statusCounts(raw, batchIds)
    let lastLog = Date.now()
    const deadline = t0 + config.phaseTimeoutMs
    while (Date.now() < deadline) {
      last = await statusCounts(raw, batchIds)
      const now = Date.now()
      if (curve.length === 0 || curve.at(-1)!.accepted !== last.accepted) {
        curve.push({ at: now, accepted: last.accepted })
      }
      if (everCurve.length === 0 || everCurve.at(-1)!.ever !== last.ever) {
        everCurve.push({ at: now, ever: last.ever })
      }
      if (last.ever === config.orders && dispatchedAt === null) dispatchedAt = now
      if (last.open === 0 && last.awaiting === 0) break
      if (dispatchedAt !== null && now - dispatchedAt > config.acceptWaitMs) break
      if (now - lastLog > 10_000) {
        log(`${label}: ${fixed((now - t0) / 1000, 0)} s: ${JSON.stringify(last.counts)}`)
        lastLog = now
      }
      await sleep(POLL_MS)
    }
    const { figures, benchCpuS } = cpu.stop()
    await profiler.stop()
    log(`${label}: done: ${JSON.stringify(last.counts)}`)
    // Server-wide counters: anything else using the same MySQL or Redis meanwhile counts too.
    const servicesAtEnd = servicesAtStart ? await sampleServices(raw, services) : null
    const use =
      idle && servicesAtStart && servicesAtEnd
        ? serviceUse(idle[0], idle[1], servicesAtStart, servicesAtEnd)
        : null

    const placeholders = batchIds.map(() => '?').join(', ')
    const timings = await raw.all<{ received_at_ms: number; dispatched_at_ms: number }>(
      `select received_at_ms, dispatched_at_ms from orders where batch_id in (${placeholders}) and dispatched_at_ms is not null`,
      batchIds
    )
    // batch_progress_service's definition: first intake to the last dispatched_at_ms.
    // A reassigned order (accept timeout, carrier cancel) carries its last dispatch
    // there, so this span grows with reassignments; the poll's "every order reached a
    // carrier at least once" does not.
    const firstReceived = Math.min(...timings.map((row) => Number(row.received_at_ms)))
    const lastDispatched = Math.max(...timings.map((row) => Number(row.dispatched_at_ms)))
    const latencies = timings
      .map((row) => Number(row.dispatched_at_ms) - Number(row.received_at_ms))
      .sort((a, b) => a - b)
    const progressSpanMs = lastDispatched - firstReceived
    const everFinal = everCurve.at(-1)?.ever ?? 0
    const spanMs = (everCurve.find((point) => point.ever === everFinal)?.at ?? t0) - t0
    const [noDispatchTime] = await raw.all<{ n: number }>(
      `select count(*) as n from orders where batch_id in (${placeholders}) and dispatched_at_ms is null and status in (${ACCEPTED_OR_LATER.map(() => '?').join(', ')})`,
      [...batchIds, ...ACCEPTED_OR_LATER]
    )
    const [reassigned] = await raw.all<{ n: number }>(
      `select count(distinct a.order_id) as n from dispatch_attempts a join orders o on o.id = a.order_id where o.batch_id in (${batchIds.map(() => '?').join(', ')}) and a.attempt_no > 1`,
      batchIds
    )
    const failures = await raw.all<{ reason: string | null; n: number }>(
      `select failure_reason as reason, count(*) as n from orders where batch_id in (${placeholders}) and status = 'failed' group by failure_reason order by n desc limit 5`,
      batchIds
    )
    const [webhooks] = await raw.all<{ n: number; unprocessed: number }>(
      'select count(*) as n, sum(case when processed_at is null then 1 else 0 end) as unprocessed from carrier_webhook_events'
    )
    const attempts = await raw.all<{ state: string; n: number }>(
      `select a.state, count(*) as n from dispatch_attempts a join orders o on o.id = a.order_id where o.batch_id in (${placeholders}) group by a.state`,
      batchIds
    )
    const perOrder = Math.max(1, last.ever)
    const rowCounts = await Promise.all(
      [
        ['order_events', 'order_id'],
        ['decision_records', 'order_id'],
        ['dispatch_attempts', 'order_id'],
      ].map(async ([tableName, column]) => {
        const [row] = await rawDb.all<{ n: number }>(
          `select count(*) as n from ${tableName} t join orders o on o.id = t.${column} where o.batch_id in (${placeholders})`,
          batchIds
        )
        return `${tableName} ${fixed(Number(row.n) / perOrder, 1)}`
      })
    )
    const rowsWritten = [
      ...rowCounts,
      `carrier_webhook_events ${fixed(Number(webhooks?.n ?? 0) / perOrder, 1)} (incl. warm-up)`,
    ].join(', ')
    const acceptance = acceptanceFigures(curve, t0)
    const totals = await sandboxTotals(sandbox.url)
    const failedCallbacks = totals.callbacksFailed ? await callbackFailures(sandbox.url) : []
    const memory = new Map(procs.map((p) => [p.pid, memoryMiB(p.pid)]))
    const logLines = await Promise.all(
      hubProcs.map(async (p) => {
        const text = await readFile(join(HUB_ROOT, p.logFile), 'utf8').catch(() => '')
        return `${p.name} ${text.split('\n').filter(Boolean).length}`
      })
    )
    const hubPids = new Set(hubProcs.map((p) => p.pid))
    return {
      label,
      kind: spec.kind,
      workers: spec.workers,
      orders: config.orders,
      dispatched: last.ever,
      failed: last.counts.failed ?? 0,
      dispatchSpanMs: spanMs,
      dispatchedPerS: last.ever / (Math.max(1, spanMs) / 1000),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      ...acceptance,
      acceptedPerS: acceptance.acceptSpanMs
        ? acceptance.accepted / (acceptance.acceptSpanMs / 1000)
        : 0,
      stillAwaitingAccept: last.awaiting,
      cutOff: last.ever < config.orders,
      intakeMs,
      hub: figures
        .filter((f) => hubPids.has(f.pid))
        .map((f) => ({ ...f, peakRssMiB: memory.get(f.pid)?.peak ?? null })),
      others: [
        ...figures
          .filter((f) => !hubPids.has(f.pid))
          .map((f) => ({
            ...f,
            peakRssMiB: f.name === 'sandbox' ? (memory.get(f.pid)?.peak ?? null) : null,
          })),
        { name: 'bench process', pid: process.pid, peakRssMiB: null, cpuS: benchCpuS },
      ],
      sandbox: totals,
      details: [
        `batch_progress_service's figure (first intake → last dispatched_at_ms, ${fixed(progressSpanMs / 1000)} s): ` +
          `${fixed(timings.length / (progressSpanMs / 1000))} orders/s; orders reassigned at least once: ${reassigned?.n ?? 0}; ` +
          `past dispatching without dispatched_at_ms (a callback outran the create answer): ${noDispatchTime?.n ?? 0}`,
        `final statuses ${JSON.stringify(last.counts)}`,
        `attempts ${attempts.map((a) => `${a.state} ${a.n}`).join(', ')}`,
        `failure reasons: ${failures.map((f) => `${f.n}× ${f.reason}`).join('; ') || 'none'}`,
        `carrier callbacks stored ${webhooks?.n ?? 0} (unprocessed ${webhooks?.unprocessed ?? 0}); log lines: ${logLines.join(', ')}`,
        ...skippedLines(setup.skipped),
        ...(use
          ? [
              // Server-wide: other users of the same MySQL/Redis count too. Their rate in
              // the 5 s before the phase is shown as a yardstick, not subtracted: it
              // varies too much (other test suites) to correct a long phase with.
              `per dispatched order, server-wide: ` +
                MYSQL_COUNTERS.map(
                  (name) => `${name} ${fixed(use.counter(name).phase / perOrder, 1)}`
                ).join(', ') +
                `; Redis commands ${fixed(use.redis.phase / perOrder, 1)}` +
                ` (other users' rate just before, per order of this window: Questions ` +
                `${fixed(use.counter('Questions').background / perOrder, 1)}, Redis ${fixed(use.redis.background / perOrder, 1)})`,
              `shared services' CPU in the window (s): ${services
                .map(({ name, pid }) => {
                  const c = use.cpu(pid)
                  return `${name} ${fixed(c.phase)} (other users' rate just before would be ${fixed(c.background)})`
                })
                .join(', ')}`,
            ]
          : []),
        `rows written per dispatched order: ${rowsWritten}`,
        ...(failedCallbacks.length ? [`failed callbacks: ${failedCallbacks.join('; ')}`] : []),
      ],
    }
  } finally {
    // The sandbox first: with it gone, jobs in flight fail fast and no more callbacks
    // arrive, so the workers and then the web process shut down sooner.
    const rank = (proc: BenchProcess) =>
      proc.name === 'sandbox' ? 0 : proc.name.startsWith('worker') ? 1 : 2
    for (const proc of [...procs].sort((a, b) => rank(a) - rank(b))) {
      await proc.stop()
    }
    await raw?.close()
    if (chain) await dropQueue(queueName)
    // The phase's extracted plugin packages (one folder per hub process).
    await rm(join(HUB_ROOT, PLUGINS_ROOT), { recursive: true, force: true })
  }
}

/** Removes the phase's BullMQ keys from Redis (its queue name is unique to this run). */
async function dropQueue(name: string) {
  const url = new URL(REDIS_URL)
  const queue = new Queue(name, {
    connection: { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null },
  })
  try {
    await queue.obliterate({ force: true })
  } catch (error) {
    log(`could not remove queue ${name}: ${(error as Error).message}`)
  } finally {
    await queue.close()
  }
}

// ---------------------------------------------------------------------------
// Report

function mib(value: number | null) {
  return value === null ? '-' : fixed(value, 0)
}

function printReport(results: PhaseResult[], startedAt: number, loadAtStart: string) {
  const baseline = results.find((r) => r.kind === 'baseline')
  const ratio = (value: number, base: number | undefined) =>
    base ? `${fixed((value / base) * 100, 0)}%` : '-'
  const out: string[] = ['']
  out.push(
    `Dispatch bench, run ${RUN_TAG}: ${cpus().length} CPU(s) ${cpus()[0]?.model ?? ''}, ` +
      `${fixed(totalmem() / 2 ** 30, 0)} GiB, Node ${process.version}; load average at start ${loadAtStart}, ` +
      `at end ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}; ${fixed((Date.now() - startedAt) / 1000, 0)} s in all`
  )
  out.push(
    `${config.orders} orders per phase (POST /api/v1/orders/batch × ${Math.ceil(config.orders / config.batchSize)}), ` +
      `warm-up ${config.warmup}, sandbox seed ${SANDBOX_SEED} speed ${config.speed} from ${SANDBOX_START}, ` +
      `DISPATCH_CONCURRENCY ${config.concurrency} (baseline: ${config.concurrency} orders in flight)`
  )
  out.push('')
  out.push(
    table(
      [
        'phase',
        'dispatched',
        'failed',
        '→dispatched s',
        'orders/s dispatched',
        'p50 ms',
        'p99 ms',
        'accepted',
        '99% acc. s',
        'all acc. s',
        'orders/s accepted',
        'hub peak RSS MiB',
        'vs baseline disp.',
        'vs baseline acc.',
      ],
      results.map((r) => [
        r.label,
        // * = the phase hit --phase-timeout before every order was dispatched.
        `${grouped(r.dispatched)}${r.cutOff ? '*' : ''}`,
        grouped(r.failed),
        fixed(r.dispatchSpanMs / 1000),
        grouped(r.dispatchedPerS),
        grouped(r.p50Ms),
        grouped(r.p99Ms),
        grouped(r.accepted),
        r.accept99Ms === null ? '-' : fixed(r.accept99Ms / 1000),
        r.acceptSpanMs === null ? '-' : fixed(r.acceptSpanMs / 1000),
        grouped(r.acceptedPerS),
        r.kind === 'baseline'
          ? '-'
          : `${mib(r.hub.reduce((sum, p) => sum + (p.peakRssMiB ?? 0), 0))} (${r.hub.map((p) => mib(p.peakRssMiB)).join(' + ')})`,
        r.kind === 'baseline' ? '-' : ratio(r.dispatchedPerS, baseline?.dispatchedPerS),
        r.kind === 'baseline' ? '-' : ratio(r.acceptedPerS, baseline?.acceptedPerS),
      ])
    )
  )
  out.push('')
  out.push(
    [
      '→dispatched s: first intake until every order had been dispatched (reached status dispatching) at least once,',
      'polled every 0.5 s (baseline: until the last create answered); orders/s dispatched = dispatched / that span.',
      'p50/p99: intake → dispatched per order, orders.received_at_ms → dispatched_at_ms (for a reassigned order its last',
      'dispatch; baseline: batch start → create answered). accepted = status accepted or beyond (baseline: acceptance',
      "times in the sandbox's own records); orders/s accepted = accepted / (first intake → last acceptance seen).",
    ].join('\n')
  )
  if (results.some((r) => r.cutOff)) {
    out.push(
      `* cut off ${config.phaseTimeoutMs / 1000} s after the first intake (--phase-timeout) with orders still queued: the rates are`
    )
    out.push(
      '  over that window, p50/p99 cover only the orders dispatched by then (the rest waited longer).'
    )
  }

  out.push('')
  out.push(
    'CPU seconds during the measured window (all threads; by thread name: MainThread = event loop, V8Worker = GC and'
  )
  out.push(
    "compiler helpers, plugin workers = the carrier plugins' worker threads), per dispatched order, and peak RSS (VmHWM) in MiB:"
  )
  out.push(
    table(
      [
        'phase',
        'process',
        'pid',
        'CPU s',
        'CPU ms / disp. order',
        'peak RSS MiB',
        'CPU s by thread',
      ],
      results.flatMap((r) =>
        [...r.hub, ...r.others].map((p) => [
          r.label,
          p.name,
          String(p.pid),
          p.cpuS === null ? '-' : fixed(p.cpuS),
          p.cpuS === null ? '-' : fixed((p.cpuS * 1000) / Math.max(1, r.dispatched), 2),
          mib(p.peakRssMiB),
          Object.entries(p.threads ?? {})
            .sort((a, b) => b[1] - a[1])
            .slice(0, 4)
            .map(([thread, cpuS]) => `${thread} ${fixed(cpuS)}`)
            .join(', '),
        ])
      )
    )
  )

  out.push('')
  for (const r of results) {
    const s = r.sandbox
    out.push(`${r.label}:`)
    if (r.intakeMs.length)
      out.push(`  intake: ${r.intakeMs.map((ms) => `${fixed(ms, 0)} ms`).join(' + ')}`)
    if (s) {
      out.push(
        `  sandbox: ${grouped(s.requests)} requests, quotes ${grouped(s.quotesOk)} ok / ${grouped(s.quotesRefused)} refused, ` +
          `${grouped(s.deliveries)} deliveries, callbacks ${grouped(s.callbacksSent)} sent / ${grouped(s.callbacksFailed)} failed ` +
          `(${grouped(s.callbackRetries)} retries); states ${JSON.stringify(s.states)}`
      )
    }
    if (r.stillAwaitingAccept)
      out.push(`  still awaiting acceptance at the cut-off: ${r.stillAwaitingAccept}`)
    for (const line of r.details) out.push(`  ${line}`)
  }

  const mysql = results.filter((r) => r.kind === 'mysql')
  if (mysql.length) {
    const best = mysql.reduce((a, b) => (b.dispatchedPerS > a.dispatchedPerS ? b : a))
    out.push('')
    out.push(
      `MySQL + Redis best: ${best.label} at ${grouped(best.dispatchedPerS)} orders/s to dispatched ` +
        `(${mysql.map((r) => `${r.workers} worker${r.workers > 1 ? 's' : ''}: ${grouped(r.dispatchedPerS)}`).join(', ')}); ` +
        `goal ≥ ${grouped(GOAL_ORDERS_PER_S)}/s: ${best.dispatchedPerS >= GOAL_ORDERS_PER_S ? 'met' : 'MISSED'}`
    )
  }
  process.stdout.write(`${out.join('\n')}\n`)
}

async function printProfiles() {
  const lines: string[] = []
  for (const { phase, name, pid, file } of profiles) {
    lines.push(
      `## ${phase}: ${name} (pid ${pid})`,
      await summarizeProfile(join(HUB_ROOT, file), 15),
      ''
    )
  }
  if (lines.length) {
    const out = join(HUB_ROOT, PROFILE_DIR, 'summary.txt')
    await writeFile(out, lines.join('\n'))
    process.stdout.write(`\nCPU profiles of the measured window (${out}):\n${lines.join('\n')}\n`)
  }
}

const startedAt = Date.now()
const loadAtStart = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ')
await mkdir(join(HUB_ROOT, 'tmp/bench'), { recursive: true })
const results: PhaseResult[] = []
if (config.phases.has('baseline')) results.push(await baselinePhase())
if (config.phases.has('mysql')) {
  for (const workers of config.workers) results.push(await hubPhase({ kind: 'mysql', workers }))
}
if (config.phases.has('sqlite')) results.push(await hubPhase({ kind: 'sqlite', workers: 0 }))
printReport(results, startedAt, loadAtStart)
await writeFile(
  join(HUB_ROOT, `tmp/bench/dispatch-${RUN_TAG}-results.json`),
  JSON.stringify({ config: { ...config, phases: [...config.phases] }, results }, null, 2)
)
if (config.profile) await printProfiles()
