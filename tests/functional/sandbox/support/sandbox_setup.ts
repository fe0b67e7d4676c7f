/**
 * A sandbox for functional tests: a free port, a fixed off-peak afternoon, clear
 * skies and quick callback retries, so runs are fast and repeatable. Only the
 * own-fleet emulator is loaded, so these core tests do not depend on the other
 * carriers' emulators (tests/unit/sandbox/emulator_registry.spec.ts loads those).
 */
import { startSandbox, type RunningSandbox, type SandboxOptions } from '#sandbox/start_sandbox'
import { chinaTime } from '#sandbox/market/time_of_day'
import { OWN_FLEET_SANDBOX_ACCOUNT, ownFleetEmulator } from '#sandbox/carriers/own_fleet'

/** 14:00 in Shanghai: three quiet hours before the dinner rush. */
export const TEST_START = chinaTime('2025-03-04', 14)

export function startTestSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  return startSandbox({
    port: 0,
    seed: 42,
    speed: 30,
    startAt: TEST_START,
    callbackRetryDelaysMs: [20, 40, 80],
    timeoutHoldMs: 2_000,
    onError: () => {},
    emulators: [ownFleetEmulator],
    ...options,
  })
}

/** Fresh state, clear skies, own-fleet callbacks to `callbackUrl`. */
export function freshOwnFleet(sandbox: RunningSandbox, callbackUrl: string | null): void {
  sandbox.control.reset()
  sandbox.control.setWeather('*', { condition: 'clear' })
  sandbox.control.setAccount('own_fleet', OWN_FLEET_SANDBOX_ACCOUNT.accountKey, { callbackUrl })
}
