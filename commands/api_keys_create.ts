import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

export default class ApiKeysCreate extends BaseCommand {
  static commandName = 'api-keys:create'
  static description = 'Issue another API key for a merchant (printed once)'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Merchant id or code' })
  declare merchant: string

  @flags.string({ description: 'Key name, e.g. the POS it belongs to', default: 'cli' })
  declare name: string

  @flags.boolean({ description: 'Print the result as JSON' })
  declare json: boolean

  async run() {
    const { default: Merchant } = await import('#models/merchant')
    const { issueApiKey } = await import('#services/api_key_service')
    const merchant = /^\d+$/.test(this.merchant)
      ? await Merchant.find(Number(this.merchant))
      : await Merchant.findBy('code', this.merchant)
    if (!merchant) {
      this.logger.error(`No merchant with id or code "${this.merchant}"`)
      this.exitCode = 1
      return
    }
    const { apiKey, secret } = await issueApiKey(merchant.id, this.name)
    const { recordAudit } = await import('#services/audit_service')
    await recordAudit(
      null,
      'api_key.create',
      { type: 'api_key', id: apiKey.id, merchantId: merchant.id },
      { name: this.name, via: 'cli' }
    )
    if (this.json) {
      this.logger.log(
        JSON.stringify({
          api_key: { id: apiKey.id, merchant_id: merchant.id, prefix: apiKey.prefix, secret },
        })
      )
      return
    }
    this.logger.success(`API key #${apiKey.id} for merchant #${merchant.id} (${merchant.code})`)
    this.logger.info(`Key (shown once): ${secret}`)
  }
}
