import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/**
 * Onboards a merchant and prints its first API key. The key is shown once: only
 * its digest is stored.
 */
export default class MerchantsCreate extends BaseCommand {
  static commandName = 'merchants:create'
  static description = 'Create a merchant and print its first API key (shown once)'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Merchant display name' })
  declare name: string

  @flags.string({ description: 'Unique code (default: from the name)' })
  declare code?: string

  @flags.string({ description: 'standard | vip | key_account', default: 'standard' })
  declare tier: string

  @flags.boolean({ description: 'Print the result as JSON' })
  declare json: boolean

  async run() {
    if (!['standard', 'vip', 'key_account'].includes(this.tier)) {
      this.logger.error(`--tier must be standard, vip or key_account (got "${this.tier}")`)
      this.exitCode = 1
      return
    }
    const { createMerchantWithKey } = await import('#services/onboarding_service')
    try {
      const { merchant, apiKey, secret } = await createMerchantWithKey({
        name: this.name,
        code: this.code,
        tier: this.tier as 'standard',
      })
      if (this.json) {
        this.logger.log(
          JSON.stringify({
            merchant: {
              id: merchant.id,
              name: merchant.name,
              code: merchant.code,
              tier: merchant.tier,
            },
            api_key: { id: apiKey.id, prefix: apiKey.prefix, secret },
          })
        )
        return
      }
      this.logger.success(
        `Merchant #${merchant.id} "${merchant.name}" (code ${merchant.code}) created`
      )
      this.logger.info(`API key (shown once, store it now): ${secret}`)
    } catch (error) {
      const problem = error as { message: string; messages?: { message: string }[] }
      this.logger.error(problem.messages?.map((m) => m.message).join('; ') ?? problem.message)
      this.exitCode = 1
    }
  }
}
