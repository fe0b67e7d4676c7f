/**
 * Static check that a plugin entry is one self-contained ES module: the only imports
 * allowed are Node built-ins that the worker provides. The worker refuses the rest at
 * run time anyway; checking at pack/verify time gives the author a clear message early.
 */
import { builtinModules } from 'node:module'

/**
 * Built-ins a plugin may not use. The worker bootstrap (app/carriers/worker_bootstrap.ts)
 * refuses the same list; a unit test keeps the two in step.
 */
export const FORBIDDEN_MODULES = [
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
] as const

const IMPORT_PATTERNS = [
  /\bimport\s+(?:[\w*{}\s,$]+\s+from\s+)?['"]([^'"]+)['"]/g,
  /\bexport\s+(?:\*|\{[^}]*\})\s*(?:as\s+\w+\s+)?from\s+['"]([^'"]+)['"]/g,
  /\bimport\s*\(\s*['"]([^'"]+)['"]/g,
  /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
]

function normalizeBuiltin(specifier: string): string | null {
  const bare = specifier.startsWith('node:') ? specifier.slice(5) : specifier
  return builtinModules.includes(bare) ? bare : null
}

/** Lists the problems with the entry's imports (empty when self-contained). */
export function entryImportProblems(source: string, entryPath: string): string[] {
  const specifiers = new Set<string>()
  for (const pattern of IMPORT_PATTERNS) {
    for (const match of source.matchAll(pattern)) specifiers.add(match[1])
  }
  const problems: string[] = []
  for (const specifier of specifiers) {
    const builtin = normalizeBuiltin(specifier)
    if (builtin === null) {
      problems.push(
        `${entryPath} imports "${specifier}"; the entry must be a single bundled file importing only Node built-ins`
      )
    } else if ((FORBIDDEN_MODULES as readonly string[]).includes(builtin)) {
      problems.push(
        `${entryPath} imports "${specifier}", which plugins may not use (HTTP goes through ctx.fetch)`
      )
    }
  }
  return problems
}
