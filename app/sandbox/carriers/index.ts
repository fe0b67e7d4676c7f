/**
 * The emulated carriers the sandbox serves, one line each. A line loads a module
 * whose default export (or any named export) is a CarrierEmulator; requests under
 * `/<emulator.carrier>/...` reach it. Adding a carrier is adding its line.
 */
export const EMULATOR_MODULES: (() => Promise<Record<string, unknown>>)[] = [
  () => import('./own_fleet.js'),
  () => import('./sf_same_city.js'),
  () => import('./shansong.js'),
  () => import('./uu.js'),
  () => import('./dada.js'),
  () => import('./meituan.js'),
  () => import('./fengniao.js'),
]
