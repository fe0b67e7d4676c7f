import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig, targets } from '@adonisjs/core/logger'

const loggerConfig = defineConfig({
  default: 'app',
  loggers: {
    app: {
      enabled: true,
      name: 'courier-hub',
      level: env.get('LOG_LEVEL'),
      // Recipient phone numbers and addresses never reach the logs in clear.
      redact: {
        paths: [
          '*.recipient.phone',
          '*.recipient.address',
          '*.recipient_phone',
          '*.recipient_address',
          'req.headers.authorization',
          '*.password',
        ],
        censor: '[masked]',
      },
      transport: {
        targets: [app.inProduction ? targets.file({ destination: 1 }) : targets.pretty()],
      },
    },
  },
})

export default loggerConfig

declare module '@adonisjs/core/types' {
  export interface LoggersList extends InferLoggers<typeof loggerConfig> {}
}
