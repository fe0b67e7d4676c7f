/**
 * The host side of carrier plugins on one node: loads plugin versions into workers,
 * routes calls with deadlines and per-account circuit breakers, validates answers,
 * upgrades blue/green, disables with draining, and reports status.
 *
 * It keeps no database state. A registry that stores installed versions and enabled
 * flags drives it through load/upgrade/disable/unload, or all at once via reconcile().
 */
import { readFile, stat } from 'node:fs/promises'
import { isAbsolute, join, resolve } from 'node:path'
import type { CarrierMethods, RawWebhookRequest } from '#sdk/contract'
import { CarrierError, InvalidRequestError } from '#sdk/errors'
import {
  CAPABILITIES,
  CAPABILITY_METHODS,
  type Capability,
  type CarrierMethodName,
  type Manifest,
} from '#sdk/manifest'
import { parseManifest } from '#sdk/packaging/manifest_validator'
import { resultProblems } from '#sdk/testing/result_validator'
import { HOST_API_VERSION } from '#carriers/host_api_version'
import { CircuitBreaker, type BreakerSnapshot } from '#carriers/circuit_breaker'
import {
  CircuitOpenError,
  PluginContractError,
  PluginFailedError,
  PluginLoadError,
  PluginUnavailableError,
} from '#carriers/host_errors'
import {
  resolveHostOptions,
  type PluginHostConfig,
  type PluginHostOptions,
} from '#carriers/host_options'
import { PluginSlot, type SlotStatus } from '#carriers/plugin_slot'
import type { CallAccount } from '#carriers/worker_protocol'

export { HOST_API_VERSION }

type MethodOf<M extends CarrierMethodName> = NonNullable<CarrierMethods[M]>
export type MethodArgs<M extends CarrierMethodName> = Parameters<MethodOf<M>>
/** What the host resolves with: `void` answers (cancel, addTip) arrive as null. */
export type MethodResult<M extends CarrierMethodName> =
  Awaited<ReturnType<MethodOf<M>>> extends infer Result
    ? void extends Result
      ? Exclude<Result, void> | null
      : Result
    : never

export interface CallOptions {
  /** The carrier account: its id (breaker key, adapter cache key) and decrypted config. */
  account: CallAccount
  /** Overrides the host's deadline for this call. */
  timeoutMs?: number
}

export interface LoadedPluginInfo {
  id: string
  version: string
  dir: string
  manifest: Manifest
}

export interface PluginStatus extends SlotStatus {
  capabilities: Capability[]
  /** Circuit breaker per carrier account that has made calls on this node. */
  accounts: Record<string, BreakerSnapshot>
}

/** One row of the desired state, as a DB-backed registry knows it. */
export interface DesiredPlugin {
  /** Unpacked package folder of the version that should run. */
  dir: string
  /** Read from `<dir>/manifest.json` when omitted. */
  manifest?: Manifest
  enabled: boolean
}

export type ReconcileAction = 'load' | 'upgrade' | 'enable' | 'disable' | 'unload' | 'none'

export interface ReconcileResult {
  id: string
  action: ReconcileAction
  version: string
  error?: string
}

const CAPABILITY_OF_METHOD = new Map<string, Capability>(
  CAPABILITIES.map((capability) => [CAPABILITY_METHODS[capability], capability])
)

export class PluginHost {
  readonly apiVersion = HOST_API_VERSION
  readonly options: PluginHostOptions
  #slots = new Map<string, PluginSlot>()
  #breakers = new Map<string, Map<string, CircuitBreaker>>()

  constructor(config: PluginHostConfig = {}) {
    this.options = resolveHostOptions(config)
  }

  /** Loads a plugin that is not running yet. Use upgrade() to replace a running version. */
  async load(dir: string, manifest?: Manifest): Promise<LoadedPluginInfo> {
    const loaded = await this.#readPackage(dir, manifest)
    if (this.#slots.has(loaded.manifest.id)) {
      throw new PluginLoadError(`Plugin "${loaded.manifest.id}" is already loaded; use upgrade()`)
    }
    const slot = new PluginSlot(loaded, this.options)
    this.#slots.set(slot.id, slot)
    try {
      await slot.start()
    } catch (error) {
      this.#slots.delete(slot.id)
      throw error
    }
    return this.#info(slot)
  }

  /** Blue/green switch to another version of a loaded plugin; calls in flight finish on the old one. */
  async upgrade(pluginId: string, dir: string, manifest?: Manifest): Promise<LoadedPluginInfo> {
    const slot = this.#slot(pluginId)
    const loaded = await this.#readPackage(dir, manifest)
    if (loaded.manifest.id !== pluginId) {
      throw new PluginLoadError(`Package at ${dir} is "${loaded.manifest.id}", not "${pluginId}"`)
    }
    await slot.upgrade(loaded)
    // The new code deserves a fresh judgement of every account.
    for (const breaker of this.#breakers.get(pluginId)?.values() ?? []) breaker.reset()
    return this.#info(slot)
  }

  /** Stops new calls, lets calls in flight finish, stops the worker. The version stays known. */
  async disable(pluginId: string): Promise<void> {
    await this.#slot(pluginId).disable()
  }

  async enable(pluginId: string): Promise<void> {
    await this.#slot(pluginId).enable()
  }

  /** Disables and forgets the plugin (after uninstall). */
  async unload(pluginId: string): Promise<void> {
    const slot = this.#slots.get(pluginId)
    if (!slot) return
    this.#slots.delete(pluginId)
    this.#breakers.delete(pluginId)
    await slot.stop()
  }

  loaded(pluginId: string): LoadedPluginInfo | undefined {
    const slot = this.#slots.get(pluginId)
    return slot ? this.#info(slot) : undefined
  }

  /**
   * Calls one plugin method for one carrier account. Rejects with a CarrierError:
   * the SDK's (carrier said no) or the host's (timeout, crash, bad answer, breaker open).
   */
  async call<M extends CarrierMethodName>(
    pluginId: string,
    method: M,
    args: MethodArgs<M>,
    options: CallOptions
  ): Promise<MethodResult<M>> {
    const slot = this.#slots.get(pluginId)
    if (!slot) throw new PluginUnavailableError(`Plugin "${pluginId}" is not loaded on this node`)
    const capability = CAPABILITY_OF_METHOD.get(method)
    if (!capability || !slot.manifest.capabilities.includes(capability)) {
      throw new PluginUnavailableError(
        `Plugin "${pluginId}" does not declare the capability for ${method}()`,
        {
          code: 'capability_not_supported',
        }
      )
    }
    const breaker = this.#breaker(pluginId, options.account.id)
    if (!breaker.tryAcquire()) {
      const retryAt = breaker.snapshot().retryAt
      throw new CircuitOpenError(
        `Circuit open for ${pluginId} account ${options.account.id}; next trial at ${retryAt ?? 'soon'}`
      )
    }
    const timeoutMs =
      options.timeoutMs ?? this.options.methodTimeoutsMs[method] ?? this.options.callTimeoutMs
    try {
      const value = await slot.call(method, args as unknown[], options.account, timeoutMs)
      const problems = resultProblems(method, value)
      if (problems.length > 0) {
        throw new PluginContractError(
          `${pluginId}.${method} returned an invalid result: ${problems.join('; ')}`,
          {
            details: { problems },
          }
        )
      }
      breaker.onSuccess()
      return value as MethodResult<M>
    } catch (error) {
      const typed =
        error instanceof CarrierError
          ? error
          : new PluginFailedError(`${pluginId}.${method} failed: ${(error as Error).message}`)
      if (typed.countsAsFailure) {
        slot.recordFailure(typed)
        breaker.onFailure(typed)
      } else {
        breaker.onNeutral()
      }
      throw typed
    }
  }

  /** verifyWebhook with the host's body-size cap applied before the plugin sees anything. */
  verifyWebhook(pluginId: string, account: CallAccount, request: RawWebhookRequest) {
    if (Buffer.byteLength(request.body) > this.options.maxWebhookBytes) {
      return Promise.reject(
        new InvalidRequestError(`Webhook body exceeds ${this.options.maxWebhookBytes} bytes`, {
          code: 'body_too_large',
        })
      )
    }
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value
    return this.call(pluginId, 'verifyWebhook', [{ ...request, headers }], { account })
  }

  health(pluginId: string, accountId: string): BreakerSnapshot | undefined {
    return this.#breakers.get(pluginId)?.get(accountId)?.snapshot()
  }

  /** After an admin fixed an account's credentials. */
  resetBreaker(pluginId: string, accountId: string): void {
    this.#breakers.get(pluginId)?.get(accountId)?.reset()
  }

  async status(): Promise<PluginStatus[]> {
    return Promise.all(
      [...this.#slots.values()].map(async (slot) => ({
        ...(await slot.status()),
        capabilities: slot.manifest.capabilities,
        accounts: Object.fromEntries(
          [...(this.#breakers.get(slot.id)?.entries() ?? [])].map(([accountId, breaker]) => [
            accountId,
            breaker.snapshot(),
          ])
        ),
      }))
    )
  }

  /**
   * Makes this node run exactly the desired set: loads, upgrades, enables, disables
   * and unloads as needed. One plugin failing does not stop the others; each result
   * says what was done or why it failed. Call at start and periodically.
   */
  async reconcile(desired: DesiredPlugin[]): Promise<ReconcileResult[]> {
    const results: ReconcileResult[] = []
    const wanted = new Set<string>()
    for (const entry of desired) {
      let id = entry.manifest?.id ?? entry.dir
      let version = entry.manifest?.version ?? '?'
      try {
        const loaded = await this.#readPackage(entry.dir, entry.manifest)
        id = loaded.manifest.id
        version = loaded.manifest.version
        wanted.add(id)
        results.push({
          id,
          version,
          action: await this.#reconcileOne(loaded.dir, loaded.manifest, entry.enabled),
        })
      } catch (error) {
        wanted.add(id)
        results.push({ id, version, action: 'none', error: (error as Error).message })
      }
    }
    for (const id of [...this.#slots.keys()]) {
      if (wanted.has(id)) continue
      const version = this.#slots.get(id)!.manifest.version
      await this.unload(id)
      results.push({ id, version, action: 'unload' })
    }
    return results
  }

  /** Stops every worker (app shutdown). */
  async shutdown(): Promise<void> {
    await Promise.all([...this.#slots.keys()].map((id) => this.unload(id)))
  }

  async #reconcileOne(dir: string, manifest: Manifest, enabled: boolean): Promise<ReconcileAction> {
    const slot = this.#slots.get(manifest.id)
    if (!slot) {
      if (!enabled) return 'none'
      await this.load(dir, manifest)
      return 'load'
    }
    const sameVersion = slot.manifest.version === manifest.version && slot.dir === dir
    if (!enabled) {
      if (!sameVersion) await this.upgrade(manifest.id, dir, manifest)
      if (slot.state === 'disabled' || slot.state === 'stopped')
        return sameVersion ? 'none' : 'upgrade'
      await this.disable(manifest.id)
      return 'disable'
    }
    if (slot.state === 'disabled' || slot.state === 'stopped') {
      if (!sameVersion) await this.upgrade(manifest.id, dir, manifest)
      await this.enable(manifest.id)
      return 'enable'
    }
    if (sameVersion) return 'none'
    await this.upgrade(manifest.id, dir, manifest)
    return 'upgrade'
  }

  async #readPackage(dir: string, manifest?: Manifest) {
    const absolute = isAbsolute(dir) ? dir : resolve(dir)
    let value: unknown = manifest
    if (value === undefined) {
      try {
        value = JSON.parse(await readFile(join(absolute, 'manifest.json'), 'utf8'))
      } catch (error) {
        throw new PluginLoadError(
          `Cannot read ${join(absolute, 'manifest.json')}: ${(error as Error).message}`
        )
      }
    }
    let parsed: Manifest
    try {
      parsed = parseManifest(value, { hostApiVersion: HOST_API_VERSION })
    } catch (error) {
      throw new PluginLoadError((error as Error).message)
    }
    const entryStat = await stat(join(absolute, parsed.entry)).catch(() => null)
    if (!entryStat?.isFile()) {
      throw new PluginLoadError(
        `Entry file "${parsed.entry}" of "${parsed.id}" not found in ${absolute}`
      )
    }
    return { dir: absolute, manifest: parsed }
  }

  #slot(pluginId: string): PluginSlot {
    const slot = this.#slots.get(pluginId)
    if (!slot) throw new PluginUnavailableError(`Plugin "${pluginId}" is not loaded on this node`)
    return slot
  }

  #breaker(pluginId: string, accountId: string): CircuitBreaker {
    let perPlugin = this.#breakers.get(pluginId)
    if (!perPlugin) {
      perPlugin = new Map()
      this.#breakers.set(pluginId, perPlugin)
    }
    let breaker = perPlugin.get(accountId)
    if (!breaker) {
      breaker = new CircuitBreaker(this.options.breaker)
      perPlugin.set(accountId, breaker)
    }
    return breaker
  }

  #info(slot: PluginSlot): LoadedPluginInfo {
    return { id: slot.id, version: slot.manifest.version, dir: slot.dir, manifest: slot.manifest }
  }
}
