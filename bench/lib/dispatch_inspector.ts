/*
 * CPU profiles of a child process's main thread for exactly the measured window,
 * through the V8 inspector: the child runs with --inspect=127.0.0.1:<port>, and the
 * bench starts and stops the profiler over the DevTools protocol (Node's built-in
 * WebSocket client, loopback only).
 *
 * Why not --cpu-prof: it covers the whole process life (boot and warm-up
 * included) and writes the profile only on a clean exit, which a worker busy with
 * a backlog does not always reach within the bench's grace period.
 */
import { writeFile } from 'node:fs/promises'

interface Pending {
  resolve(result: unknown): void
  reject(error: Error): void
}

export class InspectorProfiler {
  #socket: WebSocket
  #nextId = 1
  #pending = new Map<number, Pending>()

  private constructor(socket: WebSocket) {
    this.#socket = socket
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as {
        id?: number
        result?: unknown
        error?: { message: string }
      }
      if (message.id === undefined) return
      const pending = this.#pending.get(message.id)
      if (!pending) return
      this.#pending.delete(message.id)
      if (message.error) pending.reject(new Error(message.error.message))
      else pending.resolve(message.result)
    })
    socket.addEventListener('close', () => {
      for (const pending of this.#pending.values()) pending.reject(new Error('inspector closed'))
      this.#pending.clear()
    })
  }

  /** Connects to the inspector of the process listening on 127.0.0.1:`port`. */
  static async connect(port: number) {
    const response = await fetch(`http://127.0.0.1:${port}/json/list`, {
      signal: AbortSignal.timeout(5_000),
    })
    const targets = (await response.json()) as { webSocketDebuggerUrl: string }[]
    const url = targets[0]?.webSocketDebuggerUrl
    if (!url?.startsWith('ws://127.0.0.1:')) throw new Error(`no loopback inspector on ${port}`)
    const socket = new WebSocket(url)
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true })
      socket.addEventListener('error', () => reject(new Error(`cannot open ${url}`)), {
        once: true,
      })
    })
    const profiler = new InspectorProfiler(socket)
    await profiler.#send('Profiler.enable')
    // 1 ms between samples (V8's default is 1 ms too; set so it is explicit).
    await profiler.#send('Profiler.setSamplingInterval', { interval: 1000 })
    return profiler
  }

  #send(method: string, params: Record<string, unknown> = {}) {
    const id = this.#nextId++
    return new Promise<unknown>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      this.#socket.send(JSON.stringify({ id, method, params }))
    })
  }

  async start() {
    await this.#send('Profiler.start')
  }

  /** Stops the profiler and writes the .cpuprofile (the format --cpu-prof writes). */
  async stopTo(file: string) {
    const result = (await this.#send('Profiler.stop')) as { profile: unknown }
    await writeFile(file, JSON.stringify(result.profile))
  }

  close() {
    this.#socket.close()
  }
}
