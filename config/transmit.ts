import env from '#start/env'
import { defineConfig } from '@adonisjs/transmit'
import { redis } from '@adonisjs/transmit/transports/redis'

/*
 * Live events (SSE). With several hub processes, a worker that moves an order is
 * not the web process holding the browser's stream: Redis carries the event
 * across. One process needs no transport.
 */
function redisTransport(url: string) {
  const parsed = new URL(url)
  return {
    driver: redis({
      host: parsed.hostname,
      port: Number(parsed.port || 6379),
      password: parsed.password || undefined,
      db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0,
    }),
    channel: 'courier-hub:transmit',
  }
}

const redisUrl = env.get('REDIS_URL')

export default defineConfig({
  pingInterval: '30s',
  transport: redisUrl ? redisTransport(redisUrl) : null,
})
