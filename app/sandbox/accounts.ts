/**
 * Sandbox accounts: the credentials each emulated carrier expects and where its
 * status callbacks go. Every emulator's default account exists from the start, so a
 * plugin configured with the documented sandbox credentials works at once; the
 * control API adds accounts or points callbacks at the hub.
 */
import type { CarrierEmulator, SandboxAccount } from '#sandbox/emulator'

export interface AccountUpdate {
  credentials?: Record<string, string>
  /** null stops callbacks for this account. */
  callbackUrl?: string | null
}

export class AccountBook {
  #accounts = new Map<string, SandboxAccount>()

  registerDefaults(emulators: Iterable<CarrierEmulator>): void {
    for (const emulator of emulators) {
      const defaults = emulator.defaultAccount?.()
      if (!defaults || this.get(emulator.carrier, defaults.accountKey)) continue
      this.set(emulator.carrier, defaults.accountKey, { credentials: defaults.credentials })
    }
  }

  get(carrier: string, accountKey: string): SandboxAccount | undefined {
    return this.#accounts.get(this.#key(carrier, accountKey))
  }

  /** Creates or updates; credentials are replaced when given, the callback URL kept when not. */
  set(carrier: string, accountKey: string, update: AccountUpdate): SandboxAccount {
    const existing = this.get(carrier, accountKey)
    const account: SandboxAccount = {
      carrier,
      accountKey,
      credentials: { ...(update.credentials ?? existing?.credentials ?? {}) },
      callbackUrl:
        update.callbackUrl !== undefined ? update.callbackUrl : (existing?.callbackUrl ?? null),
    }
    this.#accounts.set(this.#key(carrier, accountKey), account)
    return account
  }

  list(carrier?: string): SandboxAccount[] {
    return [...this.#accounts.values()].filter((account) => !carrier || account.carrier === carrier)
  }

  clear(): void {
    this.#accounts.clear()
  }

  #key(carrier: string, accountKey: string): string {
    return `${carrier}\u0000${accountKey}`
  }
}

/** Validates a control-API body; throws RangeError with the reason. */
export function parseAccountUpdate(body: unknown): AccountUpdate {
  const value = (body ?? {}) as Record<string, unknown>
  if (typeof value !== 'object' || Array.isArray(value))
    throw new RangeError('body must be a JSON object')
  const update: AccountUpdate = {}
  if (value.credentials !== undefined) {
    const credentials = value.credentials as Record<string, unknown>
    if (!credentials || typeof credentials !== 'object' || Array.isArray(credentials)) {
      throw new RangeError('credentials must be an object of strings')
    }
    update.credentials = {}
    for (const [name, field] of Object.entries(credentials)) {
      if (typeof field !== 'string') throw new RangeError(`credentials.${name} must be a string`)
      update.credentials[name] = field
    }
  }
  if (value.callbackUrl !== undefined) {
    if (value.callbackUrl !== null && typeof value.callbackUrl !== 'string') {
      throw new RangeError('callbackUrl must be a URL string or null')
    }
    update.callbackUrl = value.callbackUrl as string | null
  }
  return update
}
