/**
 * Errors the host raises about a plugin (as opposed to errors the carrier reported,
 * which are the SDK's). All extend the SDK's CarrierError, so callers handle one
 * family: `error.code`, `error.retryable`, `error.countsAsFailure`.
 */
import {
  CarrierError,
  deserializeCarrierError,
  type CarrierErrorOptions,
  type SerializedCarrierError,
} from '#sdk/errors'

/** The call did not answer within its deadline. */
export class PluginTimeoutError extends CarrierError {
  override name = 'PluginTimeoutError'
  override readonly retryable = true
  constructor(message: string, options: CarrierErrorOptions = {}) {
    super(message, options, 'plugin_timeout')
  }
}

/** The worker died (uncaught error, heap limit, process.exit) or was killed while hung. */
export class PluginCrashedError extends CarrierError {
  override name = 'PluginCrashedError'
  override readonly retryable = true
  constructor(message: string, options: CarrierErrorOptions = {}) {
    super(message, options, 'plugin_crashed')
  }
}

/** The plugin answered something outside the contract (wrong shape, missing method). */
export class PluginContractError extends CarrierError {
  override name = 'PluginContractError'
  constructor(message: string, options: CarrierErrorOptions = {}) {
    super(message, options, 'plugin_contract_violation')
  }
}

/** The plugin threw something that is not one of the SDK's typed errors. */
export class PluginFailedError extends CarrierError {
  override name = 'PluginFailedError'
  constructor(message: string, options: CarrierErrorOptions = {}) {
    super(message, options, 'plugin_error')
  }
}

/** The plugin tried to reach a host its manifest does not list. */
export class EgressDeniedError extends CarrierError {
  override name = 'EgressDeniedError'
  constructor(message: string, options: CarrierErrorOptions = {}) {
    super(message, options, 'egress_denied')
  }
}

/** The account's circuit breaker is open: the call was not attempted. */
export class CircuitOpenError extends CarrierError {
  override name = 'CircuitOpenError'
  override readonly retryable = true
  override readonly countsAsFailure = false
  constructor(message: string, options: CarrierErrorOptions = {}) {
    super(message, options, 'circuit_open')
  }
}

/** The plugin is not loaded, disabled, or does not declare the capability asked for. */
export class PluginUnavailableError extends CarrierError {
  override name = 'PluginUnavailableError'
  override readonly countsAsFailure = false
  constructor(message: string, options: CarrierErrorOptions = {}) {
    super(message, options, 'plugin_unavailable')
  }
}

/** A worker could not be started or did not pass its handshake. */
export class PluginLoadError extends CarrierError {
  override name = 'PluginLoadError'
  constructor(message: string, options: CarrierErrorOptions = {}) {
    super(message, options, 'plugin_load_failed')
  }
}

const HOST_ERROR_CLASSES: Record<
  string,
  new (message: string, options?: CarrierErrorOptions) => CarrierError
> = {
  PluginTimeoutError,
  PluginCrashedError,
  PluginContractError,
  PluginFailedError,
  EgressDeniedError,
  // Raised by the worker bootstrap when the adapter lacks the method asked for.
  MissingMethodError: PluginContractError,
}

/**
 * Turns an error that came out of a worker back into a typed error. SDK errors keep
 * their class; anything else the plugin threw becomes a PluginFailedError.
 */
export function rebuildWorkerError(
  serialized: SerializedCarrierError,
  pluginId: string
): CarrierError {
  const sdkError = deserializeCarrierError(serialized)
  if (sdkError) return sdkError
  const HostError = HOST_ERROR_CLASSES[serialized.name]
  if (HostError)
    return new HostError(serialized.message, { code: serialized.code, details: serialized.details })
  return new PluginFailedError(
    `Plugin "${pluginId}" threw ${serialized.name}: ${serialized.message}`,
    {
      details: { thrownName: serialized.name },
    }
  )
}
