/*
 * Fixed-rate HTTP load with autocannon, with latencies recorded by us.
 *
 * Why not autocannon's own latency figures: its histogram has 1 ms resolution,
 * and with a rate set it "corrects for coordinated omission" using an expected
 * interval of ceil(1 / rate) ms (a seconds value used as milliseconds, so 1 ms),
 * which invents one sample per millisecond of every response. We turn that off
 * and keep every response time exactly.
 */
import autocannon, { type AutocannonRequest } from 'autocannon'
import { percentile } from './stats.js'

export interface FixedRateOptions {
  url: string
  path: string
  /** Requests per second over all connections (autocannon `overallRate`). */
  rate: number
  durationS: number
  connections: number
  /** Headers and body of the n-th request (n counts from 1 within this run). */
  request: (n: number) => { headers: Record<string, string>; body: string }
}

export interface FixedRateResult {
  responses: number
  achievedRate: number
  non2xx: number
  errors: number
  timeouts: number
  statusCounts: Record<string, number>
  p50: number
  p90: number
  p99: number
  max: number
  mean: number
}

export async function fixedRate(options: FixedRateOptions): Promise<FixedRateResult> {
  let n = 0
  const latencies: number[] = []
  const statusCounts: Record<string, number> = {}

  const request: AutocannonRequest = {
    method: 'POST',
    path: options.path,
    // autocannon builds each request from this hook, so every request gets a
    // fresh body (unique external_id) and, when asked, a fresh Idempotency-Key.
    setupRequest: (req) => {
      n += 1
      const { headers, body } = options.request(n)
      return { ...req, headers: { 'content-type': 'application/json', ...headers }, body }
    },
  }

  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    pipelining: 1,
    duration: options.durationS,
    timeout: 10,
    overallRate: options.rate,
    ignoreCoordinatedOmission: true,
    requests: [request],
  })
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    latencies.push(responseTime)
    statusCounts[statusCode] = (statusCounts[statusCode] ?? 0) + 1
  })
  const result = await instance

  latencies.sort((a, b) => a - b)
  return {
    responses: latencies.length,
    // Over autocannon's own run time: the last second's burst ends well before it.
    achievedRate: latencies.length / result.duration,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCounts,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? Number.NaN,
    mean: latencies.reduce((sum, value) => sum + value, 0) / Math.max(latencies.length, 1),
  }
}
