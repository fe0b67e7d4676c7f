import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'

/**
 * Liveness and readiness in one: 200 when the database answers, 503 when not.
 */
export default class HealthController {
  async show({ response }: HttpContext) {
    const started = performance.now()
    let database: { status: 'ok' | 'down'; connection: string; latency_ms?: number; error?: string }
    const connection = db.primaryConnectionName
    try {
      await db.rawQuery('select 1')
      database = {
        status: 'ok',
        connection,
        latency_ms: Math.round((performance.now() - started) * 100) / 100,
      }
    } catch (error) {
      database = { status: 'down', connection, error: (error as Error).message }
    }
    const healthy = database.status === 'ok'
    response.status(healthy ? 200 : 503)
    return {
      status: healthy ? 'ok' : 'degraded',
      uptime_s: Math.round(process.uptime()),
      checks: { database },
    }
  }
}
