import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/**
 * Checks a ruleset file the way publishing does (JSON Schema, then every fact,
 * path, operator, value and event against the catalog), without a database, so
 * it also runs in CI or a pre-commit hook. Exit code 1 when the file is invalid.
 */
export default class RulesValidate extends BaseCommand {
  static commandName = 'rules:validate'
  static description = 'Validate a ruleset JSON file; prints every error with its JSON pointer'
  static options: CommandOptions = { startApp: false }

  @args.string({ description: 'Path to a ruleset document (JSON)' })
  declare file: string

  @flags.boolean({ description: 'Print the result as JSON' })
  declare json: boolean

  async run() {
    const { readFile } = await import('node:fs/promises')
    const { validateRuleset } = await import('#dispatch/rules/validator')

    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (error) {
      this.logger.error(`Cannot read ${this.file}: ${(error as Error).message}`)
      this.exitCode = 1
      return
    }

    const result = validateRuleset(text)
    if (this.json) {
      this.logger.log(
        JSON.stringify({ file: this.file, valid: result.valid, errors: result.errors })
      )
      if (!result.valid) this.exitCode = 1
      return
    }
    if (result.valid) {
      const { orderRules, candidateRules } = result.document
      this.logger.success(
        `${this.file} is valid: ${orderRules.length} order rules, ${candidateRules.length} candidate rules`
      )
      return
    }

    this.logger.error(
      `${this.file} is invalid: ${result.errors.length} problem${result.errors.length === 1 ? '' : 's'}`
    )
    for (const error of result.errors) {
      this.logger.log(`  ${error.pointer || '(document)'}  [${error.rule}]  ${error.message}`)
    }
    this.exitCode = 1
  }
}
