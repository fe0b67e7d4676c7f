/*
 * autocannon ships no type definitions and @types/autocannon is not a dependency;
 * this declares the part of its programmatic API the benches use.
 */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events'

  export interface AutocannonRequest {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string | Buffer
    /** Called before each request; returning a falsy value restarts the sequence. */
    setupRequest?: (
      request: AutocannonRequest,
      context: Record<string, unknown>
    ) => AutocannonRequest
    onResponse?: (status: number, body: string, context: Record<string, unknown>) => void
  }

  export interface AutocannonClient extends EventEmitter {
    setHeaders(headers: Record<string, string>): void
    setBody(body: string | Buffer): void
    setRequest(request: AutocannonRequest): void
  }

  export interface AutocannonOptions {
    url: string
    connections?: number
    pipelining?: number
    duration?: number
    amount?: number
    timeout?: number
    method?: string
    headers?: Record<string, string>
    body?: string | Buffer
    connectionRate?: number
    overallRate?: number
    ignoreCoordinatedOmission?: boolean
    requests?: AutocannonRequest[]
    setupClient?: (client: AutocannonClient) => void
  }

  export interface Histogram {
    average: number
    mean: number
    stddev: number
    min: number
    max: number
    p50: number
    p90: number
    p99: number
    p99_9: number
  }

  export interface AutocannonResult {
    duration: number
    errors: number
    timeouts: number
    non2xx: number
    latency: Histogram
    requests: Histogram & { total: number; sent: number }
    statusCodeStats: Record<string, { count: number }>
  }

  export interface AutocannonInstance extends EventEmitter, PromiseLike<AutocannonResult> {
    stop(): void
    on(
      event: 'response',
      listener: (
        client: AutocannonClient,
        statusCode: number,
        resBytes: number,
        responseTime: number
      ) => void
    ): this
    on(event: string, listener: (...args: any[]) => void): this
  }

  function autocannon(options: AutocannonOptions): AutocannonInstance
  export default autocannon
}
