import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { USER_ROLES } from '#models/user'

/**
 * Creates a console user. Asks for the password when --password is not given so
 * it stays out of shell history.
 */
export default class UsersCreate extends BaseCommand {
  static commandName = 'users:create'
  static description = 'Create a console user (admin, operator, merchant or integrator)'
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'Login email', required: true })
  declare email: string

  @flags.string({ description: `Role: ${USER_ROLES.join(' | ')}`, required: true })
  declare role: string

  @flags.number({ description: 'Merchant id (merchant users only)' })
  declare merchantId?: number

  @flags.string({ description: 'Password (at least 12 characters); prompted when omitted' })
  declare password?: string

  @flags.string({ description: 'Full name' })
  declare name?: string

  async run() {
    if (!(USER_ROLES as readonly string[]).includes(this.role)) {
      this.logger.error(`--role must be one of ${USER_ROLES.join(', ')} (got "${this.role}")`)
      this.exitCode = 1
      return
    }
    const password: string =
      this.password ?? (await this.prompt.secure('Password (12+ characters)')) ?? ''
    const { createUserAccount } = await import('#services/onboarding_service')
    try {
      const user = await createUserAccount({
        email: this.email,
        password,
        role: this.role as 'admin',
        merchantId: this.merchantId ?? null,
        fullName: this.name ?? null,
      })
      this.logger.success(`User #${user.id} ${user.email} (${user.role}) created`)
    } catch (error) {
      const problem = error as {
        message: string
        errors?: { pointer: string; message: string }[]
        messages?: { field: string; message: string }[]
      }
      const details =
        problem.messages?.map((m) => m.message).join('; ') ??
        problem.errors?.map((e) => `${e.pointer.slice(1)} ${e.message}`).join('; ')
      this.logger.error(details || problem.message)
      this.exitCode = 1
    }
  }
}
