import { defineConfig } from '@adonisjs/cors'

const corsConfig = defineConfig({
  enabled: true,
  origin: [],
  methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
  headers: true,
  exposeHeaders: ['idempotency-replayed', 'x-request-id', 'retry-after'],
  credentials: true,
  maxAge: 90,
})

export default corsConfig
