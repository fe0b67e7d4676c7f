/*
 * Every environment variable the hub reads, validated at boot: a wrong value stops
 * the process with a message naming the variable instead of failing later.
 */
import { Env } from '@adonisjs/core/env'

export default await Env.create(new URL('../', import.meta.url), {
  NODE_ENV: Env.schema.enum(['development', 'production', 'test'] as const),
  PORT: Env.schema.number(),
  HOST: Env.schema.string({ format: 'host' }),
  APP_KEY: Env.schema.secret(),
  APP_URL: Env.schema.string.optional({ format: 'url', tld: false }),
  LOG_LEVEL: Env.schema.enum([
    'fatal',
    'error',
    'warn',
    'info',
    'debug',
    'trace',
    'silent',
  ] as const),

  /*
   * Database: embedded SQLite by default, MySQL (or MariaDB) for production.
   */
  DB_CONNECTION: Env.schema.enum.optional(['sqlite', 'mysql'] as const),
  SQLITE_PATH: Env.schema.string.optional(),
  MYSQL_HOST: Env.schema.string.optional({ format: 'host' }),
  MYSQL_PORT: Env.schema.number.optional(),
  MYSQL_USER: Env.schema.string.optional(),
  MYSQL_PASSWORD: Env.schema.string.optional(),
  MYSQL_DB_NAME: Env.schema.string.optional(),

  /*
   * Redis is optional: without it the hub runs as one process with in-memory
   * rate limits and an in-process queue.
   */
  // The stock "url" format only knows http(s)/ftp and would refuse every redis:// URL.
  REDIS_URL: (name: string, value?: string) => {
    if (!value) return undefined
    if (!/^rediss?:\/\/\S+$/.test(value) || !URL.canParse(value)) {
      throw new Error(
        `Value for environment variable "${name}" must be a redis:// or rediss:// URL, instead received "${value}"`
      )
    }
    return value
  },
  LIMITER_STORE: Env.schema.enum.optional(['memory', 'database'] as const),

  /*
   * Intake limits, tunable per deployment.
   */
  INTAKE_RATE_PER_MINUTE: Env.schema.number.optional(),
  LOGIN_ATTEMPTS_PER_MINUTE: Env.schema.number.optional(),

  /*
   * Carrier plugins: this node's name in the cluster status (default hostname:pid),
   * where it unpacks packages, how often it re-reads the desired state, and the
   * webhook timestamp window.
   */
  NODE_ID: Env.schema.string.optional(),
  PLUGINS_DIR: Env.schema.string.optional(),
  PLUGIN_RECONCILE_MS: Env.schema.number.optional(),
  PLUGIN_EXTRA_EGRESS: Env.schema.string.optional(),
  WEBHOOK_MAX_AGE_S: Env.schema.number.optional(),
  WEBHOOK_MAX_FUTURE_S: Env.schema.number.optional(),

  /*
   * Dispatch: send new orders to carriers automatically, how many orders a process
   * works on at once, whether this process runs dispatch jobs at all (set false on
   * web-only nodes when separate workers run `node ace dispatch:work`).
   */
  DISPATCH_ON_INTAKE: Env.schema.boolean.optional(),
  DISPATCH_CONCURRENCY: Env.schema.number.optional(),
  DISPATCH_WORKER: Env.schema.boolean.optional(),
  DISPATCH_MAX_ATTEMPTS: Env.schema.number.optional(),
  DISPATCH_QUEUE: Env.schema.string.optional(),
  DISPATCH_LEASE_S: Env.schema.number.optional(),
  REASSIGN_TIP_BUMP_FEN: Env.schema.number.optional(),
  STATUS_POLL_AFTER_S: Env.schema.number.optional(),

  /*
   * Weather fed to the dispatch rules: the carrier sandbox (demo, tests) or a
   * fixed report (offline default). See docs/sandbox.md.
   */
  WEATHER_SOURCE: Env.schema.enum.optional(['sandbox', 'static'] as const),
  SANDBOX_URL: Env.schema.string.optional({ format: 'url', tld: false, protocol: false }),
  WEATHER_STATIC_CONDITION: Env.schema.string.optional(),
  WEATHER_STATIC_TEMPERATURE_C: Env.schema.number.optional(),
  WEATHER_STATIC_WIND_LEVEL: Env.schema.number.optional(),
})
