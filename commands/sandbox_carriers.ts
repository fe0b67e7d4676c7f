import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/**
 * Runs the carrier sandbox until Ctrl+C. Needs no database: the sandbox is imported
 * lazily, so listing ace commands stays fast.
 */
export default class SandboxCarriers extends BaseCommand {
  static commandName = 'sandbox:carriers'
  static description =
    'Serve emulated carrier APIs (Dada, Meituan, own fleet...) with a market, callbacks and fault knobs'
  static options: CommandOptions = { startApp: false, staysAlive: true }

  @flags.number({ description: 'Port on 127.0.0.1 (0 picks a free one)', default: 4010 })
  declare port: number

  @flags.number({ description: 'Seed of every random draw (same seed, same market)', default: 42 })
  declare seed: number

  @flags.number({ description: 'Sandbox minutes per real second (0 pauses)', default: 60 })
  declare speed: number

  @flags.string({
    description: 'Fault knobs: JSON or a JSON file, e.g. {"dada":{"errorRate":0.1}}',
  })
  declare faults?: string

  @flags.string({ description: 'Sandbox start time (ISO-8601), e.g. 2025-03-04T12:00:00+08:00' })
  declare startAt?: string

  @flags.string({ description: 'Hub root for relative callback URLs, e.g. http://127.0.0.1:3333' })
  declare hubUrl?: string

  async run() {
    const { startSandbox } = await import('#sandbox/start_sandbox')
    const { readFaultsFlag } = await import('#sandbox/faults_flag')
    let sandbox
    try {
      sandbox = await startSandbox({
        port: this.port,
        seed: this.seed,
        speed: this.speed,
        faults: this.faults ? await readFaultsFlag(this.faults) : undefined,
        startAt: this.startAt ? parseDate(this.startAt) : undefined,
        hubUrl: this.hubUrl,
        onError: (error) => this.logger.error(`[sandbox] ${(error as Error).stack ?? error}`),
      })
    } catch (error) {
      this.logger.error((error as Error).message)
      this.exitCode = 1
      return
    }
    const overview = sandbox.control.overview()
    this.logger.success(
      `Carrier sandbox on ${sandbox.url} (seed ${this.seed}, speed ${this.speed})`
    )
    for (const carrier of overview.emulators) this.logger.log(`  ${sandbox.url}/${carrier}/...`)
    for (const account of sandbox.control.accounts()) {
      this.logger.log(
        `  account ${account.carrier}/${account.accountKey} ${JSON.stringify(account.credentials)}`
      )
    }
    this.logger.log(`  control: ${sandbox.url}/_control   weather: ${sandbox.url}/_weather/上海`)
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve)
      process.once('SIGTERM', resolve)
    })
    await sandbox.stop()
    this.logger.info('Carrier sandbox stopped')
    process.exit(0)
  }
}

function parseDate(value: string): Date {
  const date = new Date(value)
  if (Number.isNaN(date.getTime()))
    throw new RangeError(`--start-at is not an ISO-8601 time: ${value}`)
  return date
}
