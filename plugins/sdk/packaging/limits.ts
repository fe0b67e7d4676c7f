/**
 * Size limits for plugin packages. A carrier plugin is a few hundred kilobytes of
 * bundled JavaScript; anything near these limits is a mistake or an attack.
 */
export interface PackageLimits {
  /** The .tgz file as uploaded. */
  maxPackageBytes: number
  /** Any one file once unpacked. */
  maxFileBytes: number
  /** All files together once unpacked (guards against gzip bombs). */
  maxTotalBytes: number
  maxFiles: number
}

export const DEFAULT_PACKAGE_LIMITS: PackageLimits = {
  maxPackageBytes: 5 * 1024 * 1024,
  maxFileBytes: 4 * 1024 * 1024,
  maxTotalBytes: 8 * 1024 * 1024,
  maxFiles: 16,
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}
