/**
 * A second hub process for cluster tests: `bin/server.ts` on its own port with the
 * same database settings as the test process, its own node id and plugin folder.
 * Every wait is bounded and stop() always ends the process.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import app from '@adonisjs/core/services/app'

export interface SecondHub {
  url: string
  nodeId: string
  output: () => string
  request(method: string, path: string, token: string): Promise<{ status: number; body: any }>
  stop(): Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}

export async function spawnSecondHub(env: Record<string, string> = {}): Promise<SecondHub> {
  const port = await freePort()
  const nodeId = `second-hub-${port}`
  const pluginsDir = `tmp/plugins-${nodeId}`
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    NODE_ID: nodeId,
    PLUGINS_DIR: pluginsDir,
    PLUGIN_RECONCILE_MS: '250',
    LOG_LEVEL: 'warn',
    ...env,
  }
  if (!env.REDIS_URL) delete childEnv.REDIS_URL
  const child = spawn(process.execPath, ['--import=@poppinss/ts-exec', 'bin/server.ts'], {
    cwd: app.makePath(),
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (chunk) => (output = (output + chunk).slice(-20_000)))
  child.stderr!.on('data', (chunk) => (output = (output + chunk).slice(-20_000)))
  const url = `http://127.0.0.1:${port}`

  const stop = async () => {
    if (!(await exited(child, 0))) {
      child.kill('SIGTERM')
      if (!(await exited(child, 8_000))) {
        child.kill('SIGKILL')
        await exited(child, 2_000)
      }
    }
    await rm(app.makePath(pluginsDir), { recursive: true, force: true })
  }

  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) {
      await stop()
      throw new Error(`The second hub exited during start (${child.exitCode}):\n${output}`)
    }
    const healthy = await fetch(`${url}/health`)
      .then((response) => response.ok)
      .catch(() => false)
    if (healthy) break
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`The second hub did not answer /health within 30 s:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }

  return {
    url,
    nodeId,
    output: () => output,
    async request(method, path, token) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      })
      return { status: response.status, body: await response.json().catch(() => null) }
    },
    stop,
  }
}
