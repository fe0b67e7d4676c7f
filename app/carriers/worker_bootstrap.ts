/**
 * The code every plugin worker runs. It runs under `--permission` (file reads limited
 * to the plugin's folder, no child processes, no addons, no workers) with an empty env.
 *
 * The host starts workers from `pluginWorkerMain.toString()` (an eval worker), so the
 * worker needs no read access outside the plugin folder and skips type stripping and
 * the app's loader hooks. Hence the rule for this file: everything the worker runs lives
 * inside pluginWorkerMain, closes over nothing, and reaches Node only through
 * process.getBuiltinModule. Types may come from anywhere; they are erased. (A coverage
 * tool that instruments functions would break this: exclude the file from coverage.)
 */
import type {
  CallAccount,
  HostToWorkerMessage,
  LogLevel,
  ProxiedResponse,
  SerializedError,
  WorkerBootData,
  WorkerToHostMessage,
} from './worker_protocol.js'

export async function pluginWorkerMain(): Promise<void> {
  const { AsyncLocalStorage } = process.getBuiltinModule('node:async_hooks')
  const { registerHooks } = process.getBuiltinModule('node:module')
  const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads')

  const port = parentPort!
  const boot = workerData as WorkerBootData

  /*
   * What the permission model does not cover, the bootstrap closes before plugin code runs:
   * - Node 24 cannot restrict the network, so the network modules and globals are removed;
   *   ctx.fetch (proxied to the host, which checks the egress list) is the only way out.
   * - Measured on Node 24.21: a worker started with --permission may still read the
   *   process's working directory (the hub's app root) whatever --allow-fs-read says.
   *   Plugins therefore get no file system module at all, no process.loadEnvFile, and may
   *   import only node built-ins and files inside their own package folder.
   * This is defence in depth for reviewed plugins, not a sandbox for hostile code.
   */
  const BLOCKED_MODULES = new Set([
    'net',
    'http',
    'https',
    'http2',
    'tls',
    'dgram',
    'dns',
    'dns/promises',
    'child_process',
    'cluster',
    'worker_threads',
    'inspector',
    'inspector/promises',
    'module',
    'fs',
    'fs/promises',
    'v8',
    'wasi',
    'repl',
    'vm',
  ])

  /** Imports must resolve inside this folder; an empty value refuses every file import. */
  const packageUrl =
    boot.packageUrl.startsWith('file:') && boot.packageUrl.endsWith('/') ? boot.packageUrl : ''

  function isBlockedModule(specifier: string): boolean {
    return BLOCKED_MODULES.has(specifier.startsWith('node:') ? specifier.slice(5) : specifier)
  }

  function refuse(what: string): never {
    throw new Error(
      `${what} is not available to carrier plugins (use ctx.fetch for HTTP; bundle everything else)`
    )
  }

  function harden(): void {
    for (const name of ['fetch', 'WebSocket', 'EventSource', 'XMLHttpRequest']) {
      Reflect.deleteProperty(globalThis, name)
    }
    registerHooks({
      resolve(specifier, context, nextResolve) {
        if (isBlockedModule(specifier)) refuse(`Module "${specifier}"`)
        const resolved = nextResolve(specifier, context)
        const url = resolved.url
        if (url.startsWith('node:')) {
          if (isBlockedModule(url)) refuse(`Module "${specifier}"`)
          return resolved
        }
        if (!packageUrl || !url.startsWith(packageUrl))
          refuse(`Importing "${specifier}" (outside the plugin package)`)
        return resolved
      },
    })
    const getBuiltinModule = process.getBuiltinModule.bind(process)
    process.getBuiltinModule = ((id: string) => {
      if (isBlockedModule(id)) refuse(`Module "${id}"`)
      return getBuiltinModule(id)
    }) as typeof process.getBuiltinModule
    process.loadEnvFile = () => refuse('process.loadEnvFile')
  }

  function post(message: WorkerToHostMessage): void {
    port.postMessage(message)
  }

  const KNOWN_ERROR_NAMES = new Set([
    'RetryableError',
    'CapacityError',
    'RejectedError',
    'InvalidRequestError',
    'AuthError',
    'ProtocolError',
    'EgressDeniedError',
  ])

  function serializeError(error: unknown): SerializedError {
    if (error instanceof Error) {
      const typed = error as Error & Partial<SerializedError>
      if (KNOWN_ERROR_NAMES.has(error.name) && typeof typed.code === 'string') {
        return {
          name: error.name,
          code: typed.code,
          message: error.message,
          carrierMessage:
            typeof typed.carrierMessage === 'string' ? typed.carrierMessage : undefined,
          retryable: typed.retryable === true,
          details: isPlainObject(typed.details) ? typed.details : undefined,
        }
      }
      return { name: error.name || 'Error', code: 'plugin_error', message: error.message }
    }
    return { name: 'Error', code: 'plugin_error', message: `non-Error thrown: ${String(error)}` }
  }

  function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value)
  }

  /** Tells which host call a fetch or log line belongs to, across awaits. */
  const currentCall = new AsyncLocalStorage<number>()

  let nextFetchId = 1
  const pendingFetches = new Map<
    number,
    { resolve: (response: ProxiedResponse) => void; reject: (error: Error) => void }
  >()

  function hostError(serialized: SerializedError): Error {
    const error = new Error(serialized.message) as Error & Record<string, unknown>
    error.name = serialized.name
    error.code = serialized.code
    error.retryable = serialized.retryable === true
    error.toJSON = () => serialized
    return error
  }

  interface PluginFetchInit {
    method?: string
    headers?: Record<string, string>
    body?: string
    timeoutMs?: number
  }

  function hostFetch(url: string, init: PluginFetchInit = {}) {
    const fetchId = nextFetchId++
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(init.headers ?? {}))
      headers[name.toLowerCase()] = String(value)
    post({
      type: 'fetch',
      fetchId,
      callId: currentCall.getStore() ?? null,
      request: {
        url: String(url),
        method: (init.method ?? 'GET').toUpperCase(),
        headers,
        body: typeof init.body === 'string' ? init.body : null,
        timeoutMs: typeof init.timeoutMs === 'number' ? init.timeoutMs : null,
      },
    })
    return new Promise<ProxiedResponse>((resolve, reject) => {
      pendingFetches.set(fetchId, { resolve, reject })
    }).then((response) => ({
      status: response.status,
      ok: response.status >= 200 && response.status < 300,
      headers: response.headers,
      text: async () => response.body,
      json: async () => JSON.parse(response.body),
    }))
  }

  function log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    post({
      type: 'log',
      level,
      message: String(message),
      fields: isPlainObject(fields) ? safeClone(fields) : null,
      callId: currentCall.getStore() ?? null,
    })
  }

  /** Drops what structured clone cannot carry, so a bad log line cannot crash the worker. */
  function safeClone(fields: Record<string, unknown>): Record<string, unknown> | null {
    try {
      return JSON.parse(JSON.stringify(fields))
    } catch {
      return null
    }
  }

  const logger = {
    debug: (message: string, fields?: Record<string, unknown>) => log('debug', message, fields),
    info: (message: string, fields?: Record<string, unknown>) => log('info', message, fields),
    warn: (message: string, fields?: Record<string, unknown>) => log('warn', message, fields),
    error: (message: string, fields?: Record<string, unknown>) => log('error', message, fields),
  }

  const NONCE_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz'

  function nonce(length = 16): string {
    const bytes = crypto.getRandomValues(new Uint8Array(length))
    return Array.from(bytes, (byte) => NONCE_ALPHABET[byte % NONCE_ALPHABET.length]).join('')
  }

  type Adapter = Record<string, unknown>

  interface Definition {
    kind: string
    contractVersion: string
    statusMap: Record<string, string>
    create(ctx: unknown): Adapter
  }

  function contextFor(account: CallAccount) {
    return {
      config: account.config,
      accountId: account.id,
      fetch: hostFetch,
      clock: { now: () => new Date() },
      random: { nonce },
      logger,
    }
  }

  function isDefinition(value: unknown): value is Definition {
    const candidate = value as Partial<Definition> | null
    return (
      typeof candidate === 'object' &&
      candidate !== null &&
      candidate.kind === 'courier-hub.carrier-plugin' &&
      typeof candidate.create === 'function' &&
      isPlainObject(candidate.statusMap)
    )
  }

  /** One adapter per account, rebuilt when the account's config changes. Bounded. */
  const adapters = new Map<string, { configKey: string; adapter: Adapter }>()
  const MAX_CACHED_ADAPTERS = 500

  function adapterFor(definition: Definition, account: CallAccount): Adapter {
    const configKey = JSON.stringify(account.config)
    const cached = adapters.get(account.id)
    if (cached && cached.configKey === configKey) return cached.adapter
    const adapter = definition.create(contextFor(account))
    if (!isPlainObject(adapter)) throw new TypeError('create(ctx) must return an object of methods')
    adapters.delete(account.id)
    if (adapters.size >= MAX_CACHED_ADAPTERS) adapters.delete(adapters.keys().next().value!)
    adapters.set(account.id, { configKey, adapter })
    return adapter
  }

  /** Lists the adapter's methods without a real account; null when create() needs real config. */
  function probeMethods(definition: Definition): string[] | null {
    try {
      const adapter = definition.create(contextFor({ id: '__probe__', config: {} }))
      return Object.keys(adapter).filter((key) => typeof adapter[key] === 'function')
    } catch {
      return null
    }
  }

  async function runCall(
    definition: Definition,
    message: Extract<HostToWorkerMessage, { type: 'call' }>
  ) {
    try {
      const value = await currentCall.run(message.callId, async () => {
        const adapter = adapterFor(definition, message.account)
        const method = adapter[message.method]
        if (typeof method !== 'function') {
          throw Object.assign(new Error(`Plugin has no method "${message.method}"`), {
            name: 'MissingMethodError',
          })
        }
        return method.apply(adapter, message.args)
      })
      try {
        post({ type: 'result', callId: message.callId, ok: true, value: value ?? null })
      } catch (error) {
        post({
          type: 'result',
          callId: message.callId,
          ok: false,
          error: {
            name: 'PluginContractError',
            code: 'unserializable_result',
            message: `${message.method} returned a value that cannot leave the worker: ${(error as Error).message}`,
          },
        })
      }
    } catch (error) {
      post({ type: 'result', callId: message.callId, ok: false, error: serializeError(error) })
    }
  }

  async function main(): Promise<void> {
    harden()
    let definition: Definition
    try {
      const module = (await import(boot.entryUrl)) as { default?: unknown }
      if (!isDefinition(module.default)) {
        throw new TypeError(
          'The entry must default-export definePlugin({...}) (an object with kind, statusMap and create)'
        )
      }
      definition = module.default
    } catch (error) {
      post({ type: 'fatal', error: serializeError(error) })
      return
    }

    port.on('message', (message: HostToWorkerMessage) => {
      if (message.type === 'call') {
        void runCall(definition, message)
      } else if (message.type === 'ping') {
        post({ type: 'pong', pingId: message.pingId, heapUsed: process.memoryUsage().heapUsed })
      } else if (message.type === 'fetchResult') {
        const pending = pendingFetches.get(message.fetchId)
        if (!pending) return
        pendingFetches.delete(message.fetchId)
        if (message.ok) pending.resolve(message.response)
        else pending.reject(hostError(message.error))
      }
    })

    post({
      type: 'ready',
      contractVersion: String(definition.contractVersion),
      methods: probeMethods(definition),
      statusMap: { ...definition.statusMap },
    })
  }

  await main()
}
