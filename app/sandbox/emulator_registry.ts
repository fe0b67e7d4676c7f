/**
 * Loads the emulators listed in app/sandbox/carriers/index.ts. Lazy, so the ace
 * command and tests that only need the market do not import every carrier.
 */
import type { CarrierEmulator } from '#sandbox/emulator'

type EmulatorModule = () => Promise<Record<string, unknown>>

export function isCarrierEmulator(value: unknown): value is CarrierEmulator {
  const candidate = value as Partial<CarrierEmulator> | null
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.carrier === 'string' &&
    typeof candidate.handle === 'function' &&
    typeof candidate.callback === 'function'
  )
}

/** The module's default export if it is an emulator, else its first named emulator. */
function emulatorOf(module: Record<string, unknown>, index: number): CarrierEmulator {
  const found = isCarrierEmulator(module.default)
    ? module.default
    : Object.values(module).find(isCarrierEmulator)
  if (!found) throw new Error(`Emulator module #${index + 1} exports no CarrierEmulator`)
  return found
}

export async function loadEmulators(modules?: EmulatorModule[]): Promise<CarrierEmulator[]> {
  let list = modules
  if (!list) {
    const registry = await import('#sandbox/carriers/index')
    list = registry.EMULATOR_MODULES
  }
  const emulators = await Promise.all(
    list.map(async (load, index) => emulatorOf(await load(), index))
  )
  const seen = new Set<string>()
  for (const emulator of emulators) {
    if (seen.has(emulator.carrier))
      throw new Error(`Two emulators claim carrier "${emulator.carrier}"`)
    seen.add(emulator.carrier)
  }
  return emulators
}
