/**
 * Carrier HTTP client benchmark: CPU per request of the host's proxied fetch.
 *   bash bench/http_client.sh [--requests 20000] [--inflight 64] [--rounds 3] [--warmup 2000]
 *
 * A local `node:http` server runs in a child process (the same file with --serve),
 * so the client's process.cpuUsage() holds only the client; the server reports its
 * own CPU over IPC. Each round measures, in rotating order:
 *   - fetch: performHostFetch with `fetchImplementation: globalThis.fetch`, i.e. the
 *     code path every carrier call took before (the baseline);
 *   - undici: performHostFetch as the hub now runs it (keep-alive undici Agent);
 *   - node:http: a bare keep-alive `node:http` request, for reference.
 * Every request is a quote-sized POST (JSON in, JSON out) with 64 in flight. Figures
 * are medians over the rounds; the ratio is fetch / undici client CPU per request.
 */
import { fork } from 'node:child_process'
import { Agent as HttpAgent, createServer, request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { cpus, loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { EgressPolicy } from '#sdk/egress_policy'
import { closeHostHttpClient, performHostFetch } from '#carriers/host_fetch'
import type { ProxiedRequest } from '#carriers/worker_protocol'
import { fixed, grouped, median, table } from './lib/stats.js'

const QUOTE_REQUEST = JSON.stringify({
  order_no: 'ord_20250715_000123',
  fleet_id: 'F1',
  pickup: { lat: 31.2304, lng: 121.4737, address: '上海市黄浦区南京东路 100 号' },
  dropoff: { lat: 31.2243, lng: 121.4768, address: '上海市黄浦区淮海中路 200 号' },
  weight_g: 1200,
  timestamp: 1_752_560_000,
  signature: 'a'.repeat(64),
})
const QUOTE_ANSWER = JSON.stringify({
  code: 0,
  message: 'ok',
  data: { fee_fen: 990, quote_token: 'Q-1', pickup_eta_s: 300, dropoff_eta_s: 900 },
})

type CpuMessage = { type: 'cpu'; user: number; system: number }

/** One client in one round, per request. */
interface Sample {
  clientUs: number
  serverUs: number
  rate: number
}

/** The child: answers every request with a quote and reports its CPU when asked. */
function serve() {
  const server = createServer((request, response) => {
    request.resume()
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(QUOTE_ANSWER)
    })
  })
  server.keepAliveTimeout = 30_000
  server.listen(0, '127.0.0.1', () => {
    process.send!({ type: 'port', port: (server.address() as AddressInfo).port })
  })
  process.on('message', (message: { type: string }) => {
    if (message.type === 'cpu') process.send!({ type: 'cpu', ...process.cpuUsage() })
    if (message.type === 'stop') server.close(() => process.exit(0))
  })
  // The parent went away without saying so: do not linger.
  process.on('disconnect', () => process.exit(0))
}

async function main() {
  const { values: args } = parseArgs({
    options: {
      requests: { type: 'string', default: '20000' },
      inflight: { type: 'string', default: '64' },
      rounds: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '2000' },
    },
  })
  const requests = Number(args.requests)
  const inflight = Number(args.inflight)
  const rounds = Number(args.rounds)
  const warmup = Number(args.warmup)

  const child = fork(new URL(import.meta.url), ['--serve'], { stdio: 'inherit' })
  const stopChild = () => child.connected && child.send({ type: 'stop' })
  process.on('exit', () => child.kill())
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port))
    child.once('exit', (code) => reject(new Error(`server exited early (${code})`)))
  })
  const serverCpu = () =>
    new Promise<number>((resolve) => {
      child.once('message', (message: CpuMessage) => resolve(message.user + message.system))
      child.send({ type: 'cpu' })
    })

  const url = `http://127.0.0.1:${port}/v1/quotes`
  const policy = new EgressPolicy([`127.0.0.1:${port}`])
  const limits = { timeoutCapMs: 8_000, maxResponseBytes: 2 * 1024 * 1024 }
  const proxied: ProxiedRequest = {
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-fleet-signature': 'b'.repeat(64) },
    body: QUOTE_REQUEST,
    timeoutMs: 5_000,
  }
  const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: inflight })

  const clients: Record<string, () => Promise<unknown>> = {
    'fetch (before)': () => performHostFetch(proxied, policy, limits, globalThis.fetch),
    'undici (now)': () => performHostFetch(proxied, policy, limits),
    'node:http (reference)': () =>
      new Promise<string>((resolve, reject) => {
        const outgoing = httpRequest(
          url,
          {
            method: 'POST',
            agent: httpAgent,
            headers: { ...proxied.headers, 'content-length': Buffer.byteLength(QUOTE_REQUEST) },
            timeout: 5_000,
          },
          (response) => {
            const chunks: Buffer[] = []
            response.on('data', (chunk: Buffer) => chunks.push(chunk))
            response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
            response.on('error', reject)
          }
        )
        outgoing.on('error', reject)
        outgoing.end(QUOTE_REQUEST)
      }),
  }

  async function drive(call: () => Promise<unknown>, count: number) {
    let started = 0
    const lane = async () => {
      while (started < count) {
        started++
        await call()
      }
    }
    await Promise.all(Array.from({ length: Math.min(inflight, count) }, lane))
  }

  const names = Object.keys(clients)
  const samples = new Map(names.map((name) => [name, [] as Sample[]]))

  console.log(
    `Node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()
      .map((value) => value.toFixed(2))
      .join(
        ' '
      )}; ${requests} requests per client and round, ${inflight} in flight, ${rounds} rounds`
  )
  for (let round = 0; round < rounds; round++) {
    // Rotate the order so drift in machine load hits every client alike.
    const order = names.map((_, index) => names[(index + round) % names.length])
    for (const name of order) {
      const call = clients[name]
      await drive(call, warmup)
      const serverBefore = await serverCpu()
      const before = process.cpuUsage()
      const startedAt = performance.now()
      await drive(call, requests)
      const elapsedMs = performance.now() - startedAt
      const used = process.cpuUsage(before)
      const serverUsed = (await serverCpu()) - serverBefore
      samples.get(name)!.push({
        clientUs: (used.user + used.system) / requests,
        serverUs: serverUsed / requests,
        rate: (requests / elapsedMs) * 1_000,
      })
      console.log(
        `  round ${round + 1} ${name}: ${fixed((used.user + used.system) / requests)} µs client CPU/request`
      )
    }
  }

  const summary = (name: string) => {
    const list = samples.get(name)!
    return {
      clientUs: median(list.map((sample) => sample.clientUs)),
      serverUs: median(list.map((sample) => sample.serverUs)),
      rate: median(list.map((sample) => sample.rate)),
      spread: list.map((sample) => fixed(sample.clientUs)).join(' / '),
    }
  }
  console.log()
  console.log(
    table(
      ['client', 'client CPU µs/req', 'per round', 'server CPU µs/req', 'req/s'],
      names.map((name) => {
        const figures = summary(name)
        return [
          name,
          fixed(figures.clientUs),
          figures.spread,
          fixed(figures.serverUs),
          grouped(figures.rate),
        ]
      })
    )
  )
  const baseline = summary(names[0]).clientUs
  const now = summary(names[1]).clientUs
  console.log(
    `\nfetch / undici client CPU per request: ${fixed(baseline / now, 2)}x ` +
      `(${fixed(baseline)} → ${fixed(now)} µs, ${fixed((1 - now / baseline) * 100, 0)} % less)`
  )

  httpAgent.destroy()
  await closeHostHttpClient()
  stopChild()
}

if (process.argv.includes('--serve')) serve()
else await main()
