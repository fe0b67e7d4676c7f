/*
 * Open-loop load at an evenly spaced request rate: request i is due at
 * start + i / rate and is sent then, whether or not earlier ones have answered.
 * Latency is measured from the due time, so a stalled server or a late timer
 * shows up in the figures instead of silently lowering the rate (no coordinated
 * omission). autocannon's overallRate instead sends each connection's share of a
 * second back to back at the top of that second, which is a burst, not a rate.
 */
import { Agent, request as httpRequest } from 'node:http'
import { percentile } from './stats.js'

export interface PacedOptions {
  url: string
  path: string
  rate: number
  durationS: number
  /** Headers and body of the n-th request (n counts from 1 within this run). */
  request: (n: number) => { headers: Record<string, string>; body: string }
  timeoutMs?: number
}

export interface PacedResult {
  responses: number
  achievedRate: number
  non2xx: number
  errors: number
  statusCounts: Record<string, number>
  p50: number
  p90: number
  p99: number
  max: number
  /** Largest number of requests in flight at once. */
  maxInFlight: number
}

export async function paced(options: PacedOptions): Promise<PacedResult> {
  const target = new URL(options.url)
  // Enough sockets that a slow response never delays the next due request.
  const agent = new Agent({ keepAlive: true, maxSockets: 256 })
  const total = Math.round(options.rate * options.durationS)
  const intervalMs = 1000 / options.rate
  const latencies: number[] = []
  const statusCounts: Record<string, number> = {}
  let errors = 0
  let inFlight = 0
  let maxInFlight = 0
  const pending: Promise<void>[] = []

  const send = (n: number, due: number) =>
    new Promise<void>((resolve) => {
      const { headers, body } = options.request(n)
      inFlight += 1
      maxInFlight = Math.max(maxInFlight, inFlight)
      const finish = (status: number | 'error') => {
        inFlight -= 1
        if (status === 'error') errors += 1
        else {
          latencies.push(performance.now() - due)
          statusCounts[status] = (statusCounts[status] ?? 0) + 1
        }
        resolve()
      }
      const req = httpRequest(
        {
          agent,
          host: target.hostname,
          port: target.port,
          method: 'POST',
          path: options.path,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            ...headers,
          },
          timeout: options.timeoutMs ?? 10_000,
        },
        (res) => {
          res.resume()
          res.on('end', () => finish(res.statusCode ?? 0))
          res.on('error', () => finish('error'))
        }
      )
      req.on('timeout', () => req.destroy(new Error('timeout')))
      req.on('error', () => finish('error'))
      req.end(body)
    })

  const start = performance.now()
  let next = 0
  while (next < total) {
    const now = performance.now()
    // Everything already due goes out now; timers fire late, the schedule does not slip.
    while (next < total && start + next * intervalMs <= now) {
      pending.push(send(next + 1, start + next * intervalMs))
      next += 1
    }
    if (next < total) {
      const wait = start + next * intervalMs - performance.now()
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)))
    }
  }
  await Promise.all(pending)
  const elapsedS = (performance.now() - start) / 1000
  agent.destroy()

  latencies.sort((a, b) => a - b)
  const ok = Object.entries(statusCounts)
    .filter(([status]) => status.startsWith('2'))
    .reduce((sum, [, count]) => sum + count, 0)
  return {
    responses: latencies.length,
    achievedRate: latencies.length / elapsedS,
    non2xx: latencies.length - ok,
    errors,
    statusCounts,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? Number.NaN,
    maxInFlight,
  }
}
