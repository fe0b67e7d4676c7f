/**
 * Typed access to the `semver` package. It ships no type declarations (that would be
 * @types/semver), so it is loaded through createRequire with the few functions used
 * here typed by hand.
 */
import { createRequire } from 'node:module'

interface SemverApi {
  valid(version: string): string | null
  validRange(range: string): string | null
  satisfies(version: string, range: string, options?: { includePrerelease?: boolean }): boolean
  gt(left: string, right: string): boolean
}

const semver = createRequire(import.meta.url)('semver') as SemverApi

export const isValidVersion = (version: string): boolean => semver.valid(version) !== null

export const isValidRange = (range: string): boolean => semver.validRange(range) !== null

export const satisfiesRange = (version: string, range: string): boolean =>
  semver.satisfies(version, range, { includePrerelease: true })

export const isNewerVersion = (candidate: string, current: string): boolean =>
  semver.gt(candidate, current)
