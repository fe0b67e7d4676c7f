/**
 * Builds a plugin's TypeScript sources into the single ESM file the worker loads.
 *
 * This is a deliberately small bundler so a plugin builds with nothing but the
 * `typescript` package: each module is transpiled to CommonJS, wrapped in a function,
 * and the wrappers are stitched into one ES module whose default export is the entry's.
 * It follows relative imports (including the SDK, which plugins import relatively) and
 * turns `node:` built-ins into real ESM imports. Bare package imports are refused:
 * a plugin that needs third-party code bundles with esbuild instead
 * (`esbuild src/index.ts --bundle --format=esm --platform=node --outfile=dist/index.js`).
 * Top-level await is not supported in bundled modules.
 */
import { existsSync, statSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { builtinModules } from 'node:module'
import { dirname, extname, join, relative, resolve } from 'node:path'

export interface BundleOptions {
  /** Source entry relative to the package folder. Default `src/index.ts`. */
  entry?: string
  /** Output file relative to the package folder. Default `dist/index.js`. */
  outFile?: string
}

export interface BundleResult {
  outFile: string
  modules: string[]
  bytes: number
}

export class BundleError extends Error {
  override name = 'BundleError'
}

const REQUIRE_CALL = /\brequire\((["'])([^"']+)\1\)/g

function resolveRelative(fromFile: string, specifier: string): string {
  const base = resolve(dirname(fromFile), specifier)
  const extension = extname(base)
  const candidates = [
    base,
    // TypeScript sources import "./x.js" and mean "./x.ts".
    ...(extension === '.js' ? [base.slice(0, -3) + '.ts'] : []),
    ...(extension === '.mjs' ? [base.slice(0, -4) + '.mts'] : []),
    ...(extension === ''
      ? [base + '.ts', base + '.js', join(base, 'index.ts'), join(base, 'index.js')]
      : []),
  ]
  const found = candidates.find(
    (candidate) => existsSync(candidate) && statSync(candidate).isFile()
  )
  if (!found) throw new BundleError(`Cannot resolve "${specifier}" imported from ${fromFile}`)
  return found
}

function builtinName(specifier: string): string | null {
  const bare = specifier.startsWith('node:') ? specifier.slice(5) : specifier
  return builtinModules.includes(bare) ? `node:${bare}` : null
}

export async function bundlePlugin(
  packageDir: string,
  options: BundleOptions = {}
): Promise<BundleResult> {
  const { default: ts } = await import('typescript')
  const root = resolve(packageDir)
  const entryFile = resolve(root, options.entry ?? 'src/index.ts')
  const outFile = resolve(root, options.outFile ?? 'dist/index.js')

  const moduleIds = new Map<string, number>()
  const moduleCode: string[] = []
  const builtins = new Map<string, string>()
  const queue: string[] = [entryFile]
  moduleIds.set(entryFile, 0)

  while (queue.length > 0) {
    const file = queue.shift()!
    const source = await readFile(file, 'utf8')
    const output = ts.transpileModule(source, {
      fileName: file,
      reportDiagnostics: true,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        removeComments: true,
        sourceMap: false,
        verbatimModuleSyntax: false,
      },
    })
    const errors = (output.diagnostics ?? []).filter(
      (d) => d.category === ts.DiagnosticCategory.Error
    )
    if (errors.length > 0) {
      const text = errors
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
        .join('; ')
      throw new BundleError(`Cannot compile ${relative(root, file)}: ${text}`)
    }
    const code = output.outputText.replace(
      REQUIRE_CALL,
      (_call, _quote: string, specifier: string) => {
        const builtin = builtinName(specifier)
        if (builtin) {
          if (!builtins.has(builtin)) builtins.set(builtin, `__builtin_${builtins.size}`)
          return builtins.get(builtin)!
        }
        if (!specifier.startsWith('.')) {
          throw new BundleError(
            `${relative(root, file)} imports the package "${specifier}". The SDK bundler only follows ` +
              'relative imports and node: built-ins; bundle with esbuild to include packages.'
          )
        }
        const target = resolveRelative(file, specifier)
        if (!moduleIds.has(target)) {
          moduleIds.set(target, moduleIds.size)
          queue.push(target)
        }
        return `__require(${moduleIds.get(target)})`
      }
    )
    moduleCode[moduleIds.get(file)!] = code
  }

  const header = [
    `// Bundled by the courier-hub plugin SDK from ${relative(root, entryFile)} (${moduleCode.length} modules). Do not edit.`,
    ...[...builtins.entries()].map(([name, local]) => `import * as ${local} from '${name}'`),
  ]
  const modules = moduleCode.map(
    (code, id) =>
      `  // ${relative(root, [...moduleIds.entries()].find(([, value]) => value === id)![0])}\n  function (module, exports, __require) {\n${code}\n  },`
  )
  const bundle = [
    ...header,
    '',
    'const __modules = [',
    ...modules,
    ']',
    'const __cache = []',
    'function __require(id) {',
    '  if (__cache[id]) return __cache[id].exports',
    '  const module = { exports: {} }',
    '  __cache[id] = module',
    '  __modules[id](module, module.exports, __require)',
    '  return module.exports',
    '}',
    'const __entry = __require(0)',
    'export default __entry.default',
    '',
  ].join('\n')

  await mkdir(dirname(outFile), { recursive: true })
  await writeFile(outFile, bundle)
  return {
    outFile,
    modules: [...moduleIds.keys()].map((file) => relative(root, file)),
    bytes: Buffer.byteLength(bundle),
  }
}
