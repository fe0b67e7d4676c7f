/**
 * `/_control/*` and `/_weather/:city` over HTTP: a small table of routes onto
 * SandboxControl. Bad input answers 400 with the reason.
 */
import type { SandboxControl } from '#sandbox/control'
import type { ClockSettings } from '#sandbox/clock'
import type { FaultPatch } from '#sandbox/faults'

export interface ControlRequest {
  method: string
  /** Decoded path segments after `_control` (or `_weather`). */
  params: string[]
  query: Record<string, string>
  body: unknown
}

export interface ControlAnswer {
  status: number
  body: unknown
}

type Handler = (control: SandboxControl, request: ControlRequest) => ControlAnswer | unknown

interface Route {
  method: string
  /** Segments; `:name` matches any one segment. */
  pattern: string[]
  handler: Handler
}

const route = (method: string, path: string, handler: Handler): Route => ({
  method,
  pattern: path.split('/').filter(Boolean),
  handler,
})

const CONTROL_ROUTES: Route[] = [
  route('GET', '', (control) => control.overview()),
  route('GET', 'clock', (control) => control.clock()),
  route('PUT', 'clock', (control, { body }) => control.setClock(parseClock(body))),
  route('GET', 'faults', (control) => control.faults()),
  route('PUT', 'faults/:carrier', (control, { params, body }) =>
    control.setFaults(params[1], (body ?? {}) as FaultPatch)
  ),
  route('DELETE', 'faults/:carrier', (control, { params }) => control.clearFaults(params[1])),
  route('GET', 'weather', (control) => ({ overrides: control.weatherOverrides() })),
  route('GET', 'weather/:city', (control, { params, query }) =>
    control.weather(params[1], optionalDate(query.at, 'at'))
  ),
  route('PUT', 'weather/:city', (control, { params, body }) => control.setWeather(params[1], body)),
  route('DELETE', 'weather/:city', (control, { params }) => {
    control.clearWeather(params[1])
    return { overrides: control.weatherOverrides() }
  }),
  route('GET', 'accounts', (control, { query }) => control.accounts(query.carrier)),
  route('PUT', 'accounts/:carrier/:accountKey', (control, { params, body }) =>
    control.setAccount(params[1], params[2], body)
  ),
  route('GET', 'records', (control, { query }) =>
    control.records({ carrier: query.carrier || undefined, summary: isTrue(query.summary) })
  ),
  route('GET', 'deliveries/:carrier/:id', (control, { params }) => {
    const delivery = control.delivery(params[1], params[2])
    return delivery ?? { status: 404, body: { error: `No delivery ${params[2]} at ${params[1]}` } }
  }),
  route('GET', 'market', (control, { query }) => {
    if (!query.city) throw new RangeError('city is required, e.g. ?city=上海')
    return control.market(query.city, optionalDate(query.at, 'at'))
  }),
  route('POST', 'quotes', (control, { body }) => {
    const request = (body ?? {}) as Record<string, any>
    return control.quoteAll({ ...request, at: optionalDate(request.at, 'at') } as never)
  }),
  route('POST', 'reset', (control, { body }) => {
    control.reset({ accounts: (body as { accounts?: unknown } | null)?.accounts === true })
    return control.overview()
  }),
]

export function handleControl(control: SandboxControl, request: ControlRequest): ControlAnswer {
  const matches = CONTROL_ROUTES.filter((candidate) =>
    matchesPath(candidate.pattern, request.params)
  )
  const found = matches.find((candidate) => candidate.method === request.method)
  if (!found) {
    return matches.length > 0
      ? { status: 405, body: { error: `Use ${matches.map((m) => m.method).join(' or ')}` } }
      : { status: 404, body: { error: 'No such control route; see docs/sandbox.md' } }
  }
  try {
    const result = found.handler(control, request)
    return isAnswer(result) ? result : { status: 200, body: result ?? { ok: true } }
  } catch (error) {
    if (error instanceof RangeError) return { status: 400, body: { error: error.message } }
    throw error
  }
}

/** `GET /_weather/:city` — what the hub's SandboxWeatherSource reads. */
export function handleWeather(control: SandboxControl, request: ControlRequest): ControlAnswer {
  if (request.method !== 'GET' || request.params.length !== 1) {
    return { status: 404, body: { error: 'Use GET /_weather/:city' } }
  }
  try {
    return {
      status: 200,
      body: control.weather(request.params[0], optionalDate(request.query.at, 'at')),
    }
  } catch (error) {
    if (error instanceof RangeError) return { status: 400, body: { error: error.message } }
    throw error
  }
}

function matchesPath(pattern: string[], params: string[]): boolean {
  return (
    pattern.length === params.length &&
    pattern.every((segment, index) => segment.startsWith(':') || segment === params[index])
  )
}

function isAnswer(value: unknown): value is ControlAnswer {
  const answer = value as ControlAnswer | null
  return (
    typeof answer === 'object' &&
    answer !== null &&
    typeof answer.status === 'number' &&
    'body' in answer
  )
}

function isTrue(value: string | undefined): boolean {
  return value === '1' || value === 'true'
}

function optionalDate(value: unknown, field: string): Date | undefined {
  if (value === undefined || value === null || value === '') return undefined
  const date = new Date(value as string)
  if (typeof value !== 'string' || Number.isNaN(date.getTime())) {
    throw new RangeError(`${field} must be an ISO-8601 time`)
  }
  return date
}

function parseClock(body: unknown): ClockSettings {
  const value = (body ?? {}) as Record<string, unknown>
  const settings: ClockSettings = {}
  if (value.speed !== undefined) {
    if (typeof value.speed !== 'number') throw new RangeError('speed must be a number')
    settings.speed = value.speed
  }
  settings.at = optionalDate(value.at, 'at')
  const offset = value.offsetMinutes ?? value.offset
  if (offset !== undefined) {
    if (typeof offset !== 'number' || !Number.isFinite(offset)) {
      throw new RangeError('offsetMinutes must be a number of minutes')
    }
    settings.offsetMinutes = offset
  }
  if (settings.speed === undefined && !settings.at && settings.offsetMinutes === undefined) {
    throw new RangeError('give speed, at (ISO-8601) and/or offsetMinutes')
  }
  return settings
}
