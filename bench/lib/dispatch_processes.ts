/*
 * The processes of a dispatch bench phase (carrier sandbox, hub web server,
 * `node ace dispatch:work` workers) and what the bench reads about them from
 * /proc. Every child is tracked by PID and stopped by PID: by the phase's
 * `finally`, and as a last resort when the bench process exits or is interrupted.
 *
 * bench/lib/server.ts's startHubServer picks its own port; here the port must be
 * known before the server starts, because the carrier accounts wired into the
 * sandbox name the hub's callback URL. Hence a spawner of our own.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { HUB_ROOT } from './hub_env.js'

export interface BenchProcess {
  name: string
  pid: number
  /** Output of the process, relative to the project root. */
  logFile: string
  exited: Promise<void>
  isRunning(): boolean
  /** Exit code, or the signal's name; null while running. */
  exitStatus(): number | string | null
  /** Date.now() when it exited (null while running): places its CPU profile on the wall clock. */
  exitedAt(): number | null
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>
}

const running = new Map<number, ChildProcess>()
let hooksInstalled = false

/** Last resort for children still running when the bench goes away (by PID, never by name). */
function installExitHooks() {
  if (hooksInstalled) return
  hooksInstalled = true
  process.on('exit', () => {
    for (const pid of running.keys()) killPid(pid, 'SIGKILL')
  })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const pid of running.keys()) killPid(pid, 'SIGTERM')
      process.exit(130)
    })
  }
}

function killPid(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(pid, signal)
  } catch {
    // Already gone.
  }
}

export function spawnTracked(options: {
  name: string
  args: string[]
  env: NodeJS.ProcessEnv
  logFile: string
}): BenchProcess {
  installExitHooks()
  const logPath = join(HUB_ROOT, options.logFile)
  mkdirSync(dirname(logPath), { recursive: true })
  const fd = openSync(logPath, 'w')
  const child = spawn(process.execPath, options.args, {
    cwd: HUB_ROOT,
    env: options.env,
    stdio: ['ignore', fd, fd],
  })
  closeSync(fd)
  if (child.pid === undefined) throw new Error(`${options.name} did not start`)
  const pid = child.pid
  running.set(pid, child)
  let exitedAt: number | null = null
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exitedAt = Date.now()
      running.delete(pid)
      resolve()
    })
  })
  const isRunning = () => child.exitCode === null && child.signalCode === null
  return {
    name: options.name,
    pid,
    logFile: options.logFile,
    exited,
    isRunning,
    exitStatus: () => child.exitCode ?? child.signalCode,
    exitedAt: () => exitedAt,
    async stop(graceMs = 15_000) {
      if (!isRunning()) return
      killPid(pid, 'SIGTERM')
      const timedOut = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(true), graceMs).unref()),
      ])
      if (timedOut) {
        killPid(pid, 'SIGKILL')
        await exited
      }
    },
  }
}

/**
 * Runs a Node script of the project to completion (migrations, the setup script)
 * as a tracked child, so an interrupted bench stops it too; rejects with the tail
 * of its output when it fails or overruns `timeoutMs` (then it is killed).
 */
export async function runTracked(options: {
  name: string
  args: string[]
  env: NodeJS.ProcessEnv
  logFile: string
  timeoutMs: number
}) {
  const proc = spawnTracked(options)
  const finished = await Promise.race([
    proc.exited.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), options.timeoutMs).unref()),
  ])
  if (!finished) {
    await proc.stop(1_000)
    throw new Error(`${options.name} overran ${options.timeoutMs} ms:\n${logTail(options.logFile)}`)
  }
  if (proc.exitStatus() !== 0) {
    throw new Error(`${options.name} failed (${proc.exitStatus()}):\n${logTail(options.logFile)}`)
  }
}

/**
 * Polls `ready` every 200 ms until it answers true; fails when the process exits
 * first or the deadline passes (with the tail of its log).
 */
export async function waitReady(
  proc: BenchProcess,
  ready: () => Promise<boolean>,
  timeoutMs: number
) {
  const deadline = Date.now() + timeoutMs
  while (true) {
    if (!proc.isRunning()) throw new Error(`${proc.name} exited early:\n${logTail(proc.logFile)}`)
    if (Date.now() > deadline) {
      throw new Error(`${proc.name} not ready in ${timeoutMs} ms:\n${logTail(proc.logFile)}`)
    }
    if (await ready().catch(() => false)) return
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

export async function httpOk(url: string) {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) })
  await response.arrayBuffer()
  return response.ok
}

export function logTail(logFile: string, lines = 30) {
  try {
    return readFileSync(join(HUB_ROOT, logFile), 'utf8').split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

/** VmHWM (peak resident set since start) and VmRSS in MiB, from /proc; null when gone. */
export function memoryMiB(pid: number): { peak: number; now: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const field = (name: string) =>
      Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1])
    return { peak: field('VmHWM') / 1024, now: field('VmRSS') / 1024 }
  } catch {
    return null
  }
}

/**
 * PIDs of processes whose command name is one of `names` (e.g. mysqld, redis-server),
 * read from /proc/<pid>/comm: only to account for the CPU the shared services use
 * during a phase. Nothing is ever signalled by name.
 */
export function pidsByCommand(names: string[]): Map<string, number[]> {
  const found = new Map<string, number[]>()
  let entries: string[] = []
  try {
    entries = readdirSync('/proc')
  } catch {
    return found
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim()
      if (names.includes(comm)) found.set(comm, [...(found.get(comm) ?? []), Number(entry)])
    } catch {
      // Exited while we looked.
    }
  }
  return found
}

/** USER_HZ: 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100

/**
 * CPU ms used so far by each thread of a process, summed by thread name
 * (/proc/<pid>/task/<tid>/comm): Node names its event loop thread MainThread,
 * V8's GC and compiler helpers V8Worker, the libuv pool libuv-worker; unnamed
 * worker_threads (the carrier plugins) show as what Node calls them. Empty when
 * the process is gone.
 */
export function threadCpuMs(pid: number): Map<string, number> {
  const byName = new Map<string, number>()
  let tids: string[] = []
  try {
    tids = readdirSync(`/proc/${pid}/task`)
  } catch {
    return byName
  }
  for (const tid of tids) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim()
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND
      byName.set(name, (byName.get(name) ?? 0) + ms)
    } catch {
      // The thread ended while we looked.
    }
  }
  return byName
}
