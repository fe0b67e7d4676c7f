/**
 * The conformance kit. Integrators call `runConformance({ dir, plugin })` from their
 * own tests (and `plugin:verify` runs it) to check a plugin against its recorded
 * fixtures with stubbed HTTP, with no hub running:
 *
 *   fixtures/
 *     account.json          account config used for every call (fake secrets)
 *     order.json            hub order used when an input omits "order"
 *     context.json          optional: { "now": ISO time for ctx.clock, "accountId": "..." }
 *     statuses.json         { "codes": [every carrier status code], "emits": [unified statuses] }
 *     <capability>/         one folder per declared capability (quote, create, cancel,
 *       request.json          preCancel, tip, track, riderLocation, webhook, proofOfDelivery)
 *       success.json
 *       error.json
 *
 * request.json  { "input": {...}, "expect": ExpectedRequest | ExpectedRequest[] }
 * success.json  { "input"?: {...}, "response" | "responses": ..., "expect": <method result> }
 * error.json    { "input"?: {...}, "response" | "responses": ..., "expect": { "error": "CapacityError", "code"?: "..." } }
 *
 * Inputs name the method's arguments: order, quote, idempotencyKey, ref, reason,
 * amountFen, request (the raw webhook). success/error reuse request.json's input
 * unless they give their own. Per capability the kit checks the request built, the
 * success parsed, and the error parsed, the way Karrio tests every carrier.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { isDeepStrictEqual } from 'node:util'
import type { CarrierMethods, PluginDefinition } from './contract.js'
import { CAPABILITY_METHODS, type Capability, type Manifest } from './manifest.js'
import { accountConfigProblems, manifestProblems } from './packaging/manifest_validator.js'
import { isUnifiedStatus, UNIFIED_STATUSES, type UnifiedStatus } from './status.js'
import { resultProblems } from './testing/result_validator.js'
import {
  createTestContext,
  StubHttp,
  type RecordedRequest,
  type StubResponse,
} from './testing/stub_http.js'

export interface ExpectedRequest {
  method: string
  url: string
  /** Must be present with these values (other headers are allowed). */
  headers?: Record<string, string>
  /** JSON bodies are compared as data; a string body must match exactly. */
  body?: unknown
  /** For application/x-www-form-urlencoded bodies: the decoded fields. */
  form?: Record<string, string>
}

export interface ConformanceCheck {
  name: string
  ok: boolean
  message?: string
}

export interface ConformanceReport {
  plugin: string
  version: string
  ok: boolean
  checks: ConformanceCheck[]
}

export interface ConformanceOptions {
  /** The plugin folder: manifest.json and fixtures/. */
  dir: string
  /** The definition under test. Default: the built entry named by manifest.entry. */
  plugin?: PluginDefinition<any>
  /** Host contract version to check hostApi against. */
  hostApiVersion?: string
}

/** Statuses every carrier that creates deliveries must be able to report. */
const LIFECYCLE_STATUSES: UnifiedStatus[] = ['accepted', 'picked_up', 'delivered', 'cancelled']

type Inputs = Record<string, unknown>

const ARGUMENTS: Record<Capability, (input: Inputs) => unknown[]> = {
  quote: (input) => [input.order],
  create: (input) => [input.order, input.quote, input.idempotencyKey],
  preCancel: (input) => [input.ref],
  cancel: (input) => [input.ref, input.reason],
  tip: (input) => [input.ref, input.amountFen],
  track: (input) => [input.ref],
  riderLocation: (input) => [input.ref],
  webhook: (input) => [input.request],
  proofOfDelivery: (input) => [input.ref],
}

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T
}

function describe(value: unknown): string {
  return JSON.stringify(value)
}

function responsesOf(fixture: {
  response?: StubResponse
  responses?: StubResponse[]
}): StubResponse[] {
  return fixture.responses ?? (fixture.response ? [fixture.response] : [])
}

function requestMismatch(
  actual: RecordedRequest | undefined,
  expected: ExpectedRequest,
  index: number
): string | null {
  const label = `request #${index + 1}`
  if (!actual) return `${label} (${expected.method} ${expected.url}) was never sent`
  if (actual.method !== expected.method.toUpperCase())
    return `${label} method is ${actual.method}, expected ${expected.method}`
  if (actual.url !== expected.url) return `${label} URL is ${actual.url}, expected ${expected.url}`
  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    const got = actual.headers[name.toLowerCase()]
    if (got !== value)
      return `${label} header ${name} is ${describe(got)}, expected ${describe(value)}`
  }
  if (expected.form !== undefined) {
    const form = Object.fromEntries(new URLSearchParams(actual.body ?? ''))
    if (!isDeepStrictEqual(form, expected.form))
      return `${label} form is ${describe(form)}, expected ${describe(expected.form)}`
  } else if (expected.body !== undefined) {
    if (typeof expected.body === 'string') {
      if (actual.body !== expected.body)
        return `${label} body is ${describe(actual.body)}, expected ${describe(expected.body)}`
    } else {
      let parsed: unknown
      try {
        parsed = JSON.parse(actual.body ?? '')
      } catch {
        return `${label} body is not JSON: ${describe(actual.body)}`
      }
      if (!isDeepStrictEqual(parsed, expected.body)) {
        return `${label} body is ${describe(parsed)}, expected ${describe(expected.body)}`
      }
    }
  }
  return null
}

class Report {
  readonly checks: ConformanceCheck[] = []
  pass(name: string): void {
    this.checks.push({ name, ok: true })
  }
  fail(name: string, message: string): void {
    this.checks.push({ name, ok: false, message })
  }
  check(name: string, problems: string[]): void {
    if (problems.length === 0) this.pass(name)
    else this.fail(name, problems.join('; '))
  }
}

async function loadDefinition(dir: string, manifest: Manifest): Promise<PluginDefinition<any>> {
  const module = (await import(pathToFileURL(join(dir, manifest.entry)).href)) as {
    default?: PluginDefinition<any>
  }
  if (!module.default) throw new Error(`${manifest.entry} has no default export`)
  return module.default
}

export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const dir = resolve(options.dir)
  const fixtures = join(dir, 'fixtures')
  const report = new Report()
  const manifest = await readJson<Manifest>(join(dir, 'manifest.json'))
  const done = () => ({
    plugin: manifest.id,
    version: manifest.version,
    ok: report.checks.every((check) => check.ok),
    checks: report.checks,
  })

  const invalidManifest = manifestProblems(manifest, { hostApiVersion: options.hostApiVersion })
  report.check('manifest is valid', invalidManifest)
  if (invalidManifest.length > 0) return done()

  let definition: PluginDefinition<any>
  try {
    definition = options.plugin ?? (await loadDefinition(dir, manifest))
  } catch (error) {
    report.fail('plugin loads', (error as Error).message)
    return done()
  }
  report.check(
    'plugin is a definePlugin() definition',
    definition.kind === 'courier-hub.carrier-plugin' && typeof definition.create === 'function'
      ? []
      : ['the default export must be the result of definePlugin({...})']
  )
  if (definition.manifest) {
    report.check(
      'embedded manifest matches manifest.json',
      definition.manifest.id === manifest.id && definition.manifest.version === manifest.version
        ? []
        : [`definePlugin manifest is ${definition.manifest.id}@${definition.manifest.version}`]
    )
  }

  const account = existsSync(join(fixtures, 'account.json'))
    ? await readJson<Record<string, unknown>>(join(fixtures, 'account.json'))
    : null
  if (!account) {
    report.fail(
      'fixtures/account.json',
      'missing: an account config (with fake secrets) is needed to run the plugin'
    )
    return done()
  }
  report.check(
    'fixtures/account.json satisfies configSchema',
    accountConfigProblems(manifest, account)
  )
  const context = existsSync(join(fixtures, 'context.json'))
    ? await readJson<{ now?: string; accountId?: string }>(join(fixtures, 'context.json'))
    : {}
  const defaultOrder = existsSync(join(fixtures, 'order.json'))
    ? await readJson<unknown>(join(fixtures, 'order.json'))
    : undefined

  const newAdapter = (http: StubHttp): CarrierMethods =>
    definition.create(
      createTestContext({ config: account, http, now: context.now, accountId: context.accountId })
    )

  checkCapabilityMethods(report, manifest, newAdapter(new StubHttp([], manifest.egress)))
  await checkStatusMap(report, manifest, definition, fixtures)

  for (const capability of manifest.capabilities) {
    await checkCapability(report, manifest, capability, fixtures, defaultOrder, newAdapter)
  }
  return done()
}

function checkCapabilityMethods(report: Report, manifest: Manifest, adapter: CarrierMethods): void {
  const problems: string[] = []
  const declared = new Set<string>(
    manifest.capabilities.map((capability) => CAPABILITY_METHODS[capability])
  )
  for (const capability of manifest.capabilities) {
    const method = CAPABILITY_METHODS[capability]
    if (typeof adapter[method as keyof CarrierMethods] !== 'function') {
      problems.push(`capability "${capability}" is declared but ${method}() is missing`)
    }
  }
  for (const [capability, method] of Object.entries(CAPABILITY_METHODS)) {
    if (!declared.has(method) && typeof adapter[method as keyof CarrierMethods] === 'function') {
      problems.push(
        `${method}() exists but the manifest does not declare "${capability}", so the hub will never call it`
      )
    }
  }
  report.check('declared capabilities match the methods', problems)
}

async function checkStatusMap(
  report: Report,
  manifest: Manifest,
  definition: PluginDefinition<any>,
  fixtures: string
) {
  const file = join(fixtures, 'statuses.json')
  if (!existsSync(file)) {
    report.fail(
      'status map is total',
      'fixtures/statuses.json is missing: list every carrier status code and the unified statuses the carrier emits'
    )
    return
  }
  const documented = await readJson<{ codes: Array<string | number>; emits?: string[] }>(file)
  const statusMap = definition.statusMap
  const problems: string[] = []
  for (const [code, status] of Object.entries(statusMap)) {
    if (!isUnifiedStatus(status))
      problems.push(`code "${code}" maps to "${status}", which is not a unified status`)
  }
  for (const code of documented.codes.map(String)) {
    if (!(code in statusMap)) problems.push(`carrier code "${code}" has no unified status`)
  }
  for (const code of Object.keys(statusMap)) {
    if (!documented.codes.map(String).includes(code))
      problems.push(`statusMap code "${code}" is not in fixtures/statuses.json`)
  }
  report.check('status map is total (every carrier code maps)', problems)

  const reachable = new Set(Object.values(statusMap))
  const expected = new Set<string>(documented.emits ?? [])
  if (manifest.capabilities.includes('create'))
    LIFECYCLE_STATUSES.forEach((status) => expected.add(status))
  const unreachable = [...expected].filter((status) => !reachable.has(status as UnifiedStatus))
  const unknown = [...expected].filter(
    (status) => !(UNIFIED_STATUSES as readonly string[]).includes(status)
  )
  report.check('every status the carrier emits is reachable', [
    ...unknown.map((status) => `"${status}" in statuses.json emits is not a unified status`),
    ...unreachable.map((status) => `no carrier code maps to "${status}"`),
  ])
}

interface RequestFixture {
  input?: Inputs
  expect: ExpectedRequest | ExpectedRequest[]
}

interface OutcomeFixture {
  input?: Inputs
  response?: StubResponse
  responses?: StubResponse[]
  expect: unknown
}

async function checkCapability(
  report: Report,
  manifest: Manifest,
  capability: Capability,
  fixtures: string,
  defaultOrder: unknown,
  newAdapter: (http: StubHttp) => CarrierMethods
): Promise<void> {
  const folder = join(fixtures, capability)
  const method = CAPABILITY_METHODS[capability]
  const load = async <T>(name: string): Promise<T | null> => {
    const file = join(folder, `${name}.json`)
    if (!existsSync(file)) {
      report.fail(`${capability}: fixtures/${capability}/${name}.json`, 'missing')
      return null
    }
    return readJson<T>(file)
  }
  const requestFixture = await load<RequestFixture>('request')
  const success = await load<OutcomeFixture>('success')
  const failure = await load<OutcomeFixture>('error')

  const run = async (input: Inputs | undefined, responses: StubResponse[]) => {
    const http = new StubHttp(responses, manifest.egress)
    const adapter = newAdapter(http)
    const fn = adapter[method as keyof CarrierMethods] as
      ((...args: unknown[]) => Promise<unknown>) | undefined
    if (!fn) throw new Error(`${method}() is missing`)
    const args = ARGUMENTS[capability]({
      order: defaultOrder,
      ...(input ?? requestFixture?.input ?? {}),
    })
    try {
      return { http, value: (await fn.apply(adapter, args)) ?? null, error: null }
    } catch (error) {
      return { http, value: undefined, error: error as Error & { code?: string } }
    }
  }

  if (requestFixture) {
    const expected = Array.isArray(requestFixture.expect)
      ? requestFixture.expect
      : [requestFixture.expect]
    const outcome = await run(requestFixture.input, success ? responsesOf(success) : [])
    const problems = expected
      .map((request, index) => requestMismatch(outcome.http.requests[index], request, index))
      .filter((problem): problem is string => problem !== null)
    if (outcome.http.requests.length > expected.length) {
      problems.push(
        `${outcome.http.requests.length - expected.length} more request(s) than expected, first: ${outcome.http.requests[expected.length].method} ${outcome.http.requests[expected.length].url}`
      )
    }
    report.check(`${capability}: request built as expected`, problems)
  }

  if (success) {
    const outcome = await run(success.input, responsesOf(success))
    if (outcome.error) {
      report.fail(
        `${capability}: success parsed`,
        `${method}() threw ${outcome.error.name}: ${outcome.error.message}`
      )
    } else {
      const problems = resultProblems(method, outcome.value)
      if (!isDeepStrictEqual(outcome.value, success.expect)) {
        problems.push(`result is ${describe(outcome.value)}, expected ${describe(success.expect)}`)
      }
      report.check(`${capability}: success parsed`, problems)
    }
  }

  if (failure) {
    const expected = failure.expect as { error: string; code?: string }
    const outcome = await run(failure.input, responsesOf(failure))
    if (!outcome.error) {
      report.fail(
        `${capability}: error parsed`,
        `${method}() resolved ${describe(outcome.value)}; expected ${expected.error}`
      )
    } else {
      const problems: string[] = []
      if (outcome.error.name !== expected.error) {
        problems.push(
          `threw ${outcome.error.name} (${outcome.error.message}), expected ${expected.error}`
        )
      }
      if (expected.code !== undefined && outcome.error.code !== expected.code) {
        problems.push(
          `error code is ${describe(outcome.error.code)}, expected ${describe(expected.code)}`
        )
      }
      report.check(`${capability}: error parsed`, problems)
    }
  }
}

/** One line per check, failures with their reason. */
export function formatConformanceReport(report: ConformanceReport): string {
  const lines = report.checks.map(
    (check) => `${check.ok ? '✓' : '✗'} ${check.name}${check.ok ? '' : `\n    ${check.message}`}`
  )
  const failed = report.checks.filter((check) => !check.ok).length
  lines.push(
    `${report.plugin}@${report.version}: ${report.checks.length - failed} passed, ${failed} failed`
  )
  return lines.join('\n')
}

/** For test files: throws with the readable report when any check failed. */
export function assertConformance(report: ConformanceReport): void {
  if (!report.ok)
    throw new Error(
      `Plugin ${report.plugin} is not conformant:\n${formatConformanceReport(report)}`
    )
}
