/**
 * Why a carrier account cannot be used right now. Part of the CarrierError family
 * (callers switch on `code`), but never a fault of the carrier: it does not count
 * against the breaker and retrying soon does not help.
 */
import { CarrierError, type CarrierErrorOptions } from '#sdk/errors'

export type CarrierAccountErrorCode =
  | 'account_not_found'
  | 'account_disabled'
  | 'plugin_disabled'
  | 'plugin_uninstalled'
  | 'account_config_invalid'
  | 'account_secrets_unreadable'

export class CarrierAccountError extends CarrierError {
  override name = 'CarrierAccountError'
  override readonly countsAsFailure = false
  declare readonly code: CarrierAccountErrorCode

  constructor(
    message: string,
    code: CarrierAccountErrorCode,
    options: Omit<CarrierErrorOptions, 'code'> = {}
  ) {
    super(message, { ...options, code })
  }
}
