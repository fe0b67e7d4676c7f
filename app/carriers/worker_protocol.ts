/**
 * Messages between the host and a plugin worker. Types only: the worker bootstrap
 * imports them with `import type`, which Node's type stripping erases, so the
 * bootstrap stays a single file with no run-time imports outside node:*.
 */

export interface WorkerBootData {
  pluginId: string
  version: string
  /** file:// URL of the plugin's single ESM entry. */
  entryUrl: string
  /** file:// URL of the package folder, with a trailing slash; imports must stay inside it. */
  packageUrl: string
}

export interface SerializedError {
  name: string
  code: string
  message: string
  carrierMessage?: string
  retryable?: boolean
  details?: Record<string, unknown>
}

export interface CallAccount {
  id: string
  config: Record<string, unknown>
}

export interface ProxiedRequest {
  url: string
  method: string
  headers: Record<string, string>
  body: string | null
  timeoutMs: number | null
}

export interface ProxiedResponse {
  status: number
  headers: Record<string, string>
  body: string
}

export type HostToWorkerMessage =
  | { type: 'call'; callId: number; method: string; args: unknown[]; account: CallAccount }
  | { type: 'ping'; pingId: number }
  | { type: 'fetchResult'; fetchId: number; ok: true; response: ProxiedResponse }
  | { type: 'fetchResult'; fetchId: number; ok: false; error: SerializedError }

export interface ReadyMessage {
  type: 'ready'
  contractVersion: string
  /** Methods the adapter exposes, or null when create() could not run without a real config. */
  methods: string[] | null
  statusMap: Record<string, string>
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export type WorkerToHostMessage =
  | ReadyMessage
  | { type: 'fatal'; error: SerializedError }
  | { type: 'result'; callId: number; ok: true; value: unknown }
  | { type: 'result'; callId: number; ok: false; error: SerializedError }
  | { type: 'pong'; pingId: number; heapUsed: number }
  | { type: 'fetch'; fetchId: number; callId: number | null; request: ProxiedRequest }
  | {
      type: 'log'
      level: LogLevel
      message: string
      fields: Record<string, unknown> | null
      callId: number | null
    }
