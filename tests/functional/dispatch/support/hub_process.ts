import { spawn } from 'node:child_process'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'

/**
 * The embedded deployment in a child process: one hub that serves HTTP, receives the
 * carriers' callbacks and dispatches from its in-process queue, on the test database.
 * `env` adds to or overrides the defaults (log level, lease, NODE_ENV...). Its output
 * is collected for assertions and failure messages.
 */
export function startHub(port: number, sandboxUrl: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import=@poppinss/ts-exec', 'bin/server.ts'], {
    cwd: app.makePath(),
    env: {
      ...process.env,
      NODE_ENV: 'development',
      PORT: String(port),
      HOST: '127.0.0.1',
      REDIS_URL: '',
      DISPATCH_ON_INTAKE: 'true',
      DISPATCH_CONCURRENCY: '48',
      WEATHER_SOURCE: 'sandbox',
      SANDBOX_URL: sandboxUrl,
      PLUGINS_DIR: `tmp/plugins-hub-${port}`,
      LOG_LEVEL: 'error',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (chunk) => (output += chunk))
  child.stderr?.on('data', (chunk) => (output += chunk))
  return { child, output: () => output }
}

/** Orders of a batch in these statuses. */
export async function countWhere(batchId: number, statuses: string[]) {
  const row = await db
    .from('orders')
    .where('batch_id', batchId)
    .whereIn('status', statuses)
    .count('* as n')
    .first()
  return Number(row.n)
}
