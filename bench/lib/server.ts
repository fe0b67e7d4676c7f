/*
 * Starts the hub's HTTP server as a child process for a bench and always stops
 * it again, by PID: on success, on a thrown error, and on Ctrl-C. `node ace
 * serve` is not used because it ignores SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { HUB_ROOT } from './hub_env.js'

export interface HubServer {
  url: string
  pid: number
  /** Server output (LOG_LEVEL=warn keeps it small), relative to the project root. */
  logFile: string
  stop(): Promise<void>
}

const running = new Set<ChildProcess>()
let exitHooksInstalled = false

/** Last resort for anything still running when the bench process goes away. */
function installExitHooks() {
  if (exitHooksInstalled) return
  exitHooksInstalled = true
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL')
  })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const child of running) child.kill('SIGTERM')
      process.exit(signal === 'SIGINT' ? 130 : 143)
    })
  }
}

/** A port nobody listens on right now (the kernel picks it), on loopback only. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.unref()
    probe.on('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port'))
      )
    })
  })
}

/**
 * Spawns `node --import=@poppinss/ts-exec bin/server.ts` and resolves once
 * /health answers 200 (migrations must have run). `nodeArgs` go before the
 * script, e.g. ['--cpu-prof'] to profile the server.
 */
export async function startHubServer(options: {
  env: NodeJS.ProcessEnv
  logFile: string
  nodeArgs?: string[]
  readyTimeoutMs?: number
}): Promise<HubServer> {
  installExitHooks()
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const logPath = join(HUB_ROOT, options.logFile)
  mkdirSync(dirname(logPath), { recursive: true })
  const logFd = openSync(logPath, 'w')
  const child = spawn(
    process.execPath,
    ['--import=@poppinss/ts-exec', ...(options.nodeArgs ?? []), 'bin/server.ts'],
    {
      cwd: HUB_ROOT,
      env: { ...options.env, HOST: '127.0.0.1', PORT: String(port) },
      stdio: ['ignore', logFd, logFd],
    }
  )
  closeSync(logFd)
  running.add(child)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  exited.then(() => running.delete(child))

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    // The server closes its pool and, with --cpu-prof, writes the profile first.
    const timeout = new Promise<'timeout'>((resolve) => {
      setTimeout(() => resolve('timeout'), 15_000).unref()
    })
    if ((await Promise.race([exited, timeout])) === 'timeout') {
      child.kill('SIGKILL')
      await exited
    }
  }

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000)
  try {
    while (true) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `The hub server exited during startup (${child.exitCode ?? child.signalCode})`
        )
      }
      if (Date.now() > deadline) throw new Error('The hub server did not become healthy in time')
      try {
        const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) })
        await response.arrayBuffer()
        if (response.status === 200) break
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  } catch (error) {
    await stop()
    throw new Error(`${(error as Error).message}; log ${options.logFile}:\n${tail(logPath)}`, {
      cause: error,
    })
  }
  return { url, pid: child.pid!, logFile: options.logFile, stop }
}

/**
 * CPU time (user + system) a process has used so far, in ms, from /proc (Linux;
 * null elsewhere). Unlike wall time it barely moves when other work shares the
 * machine, so it separates the hub's own cost from waiting on the database.
 */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the parenthesised command name; utime and stime are 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND
  } catch {
    return null
  }
}

/**
 * Time the process's main thread (the event loop) spent runnable but waiting for a
 * CPU, in ms, from /proc (Linux; null elsewhere). On a shared machine this says
 * how much of a latency figure is other processes' load rather than the hub.
 */
export function runQueueWaitMs(pid: number): number | null {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6
  } catch {
    return null
  }
}

/** USER_HZ: 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100

function tail(path: string, lines = 30) {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}
