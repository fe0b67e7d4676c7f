import { BaseCommand, args } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

export default class ApiKeysRevoke extends BaseCommand {
  static commandName = 'api-keys:revoke'
  static description = 'Revoke an API key by id or visible prefix; it stops working at once'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Key id or prefix (chk_…)' })
  declare key: string

  async run() {
    const { default: ApiKey } = await import('#models/api_key')
    const { revokeApiKey } = await import('#services/api_key_service')
    const matches = /^\d+$/.test(this.key)
      ? await ApiKey.query().where('id', Number(this.key))
      : await ApiKey.query().where('prefix', this.key)
    if (matches.length !== 1) {
      this.logger.error(
        matches.length === 0
          ? `No API key "${this.key}"`
          : `Prefix "${this.key}" matches several keys; use the id`
      )
      this.exitCode = 1
      return
    }
    const apiKey = matches[0]
    const wasActive = apiKey.revokedAt === null
    await revokeApiKey(apiKey)
    const { recordAudit } = await import('#services/audit_service')
    await recordAudit(
      null,
      'api_key.revoke',
      { type: 'api_key', id: apiKey.id, merchantId: apiKey.merchantId },
      { via: 'cli' }
    )
    this.logger.success(
      wasActive
        ? `API key #${apiKey.id} (${apiKey.prefix}…) revoked`
        : `API key #${apiKey.id} was already revoked`
    )
  }
}
