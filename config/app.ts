import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig } from '@adonisjs/core/http'

/*
 * The app key encrypts carrier credentials and signs cookies. Losing or changing
 * it makes stored carrier secrets unreadable: keep it with your database backups.
 */
export const appKey = env.get('APP_KEY')

export const appUrl = env.get('APP_URL') ?? `http://localhost:${env.get('PORT')}`

export const http = defineConfig({
  generateRequestId: true,
  allowMethodSpoofing: false,
  useAsyncLocalStorage: false,
  // Behind a load balancer the client address comes from X-Forwarded-For.
  trustProxy: () => true,
  cookie: {
    domain: '',
    path: '/',
    maxAge: '2h',
    httpOnly: true,
    secure: app.inProduction,
    sameSite: 'lax',
  },
})
