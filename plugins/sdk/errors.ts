/**
 * Typed carrier errors. A plugin throws these so the hub can decide what to do
 * (retry, try the next carrier, alert an admin) without reading carrier messages.
 * They cross the worker boundary as plain JSON (`toJSON`) and are rebuilt on the
 * host side by `deserializeCarrierError`, so `instanceof` keeps working there.
 */

export interface SerializedCarrierError {
  name: string
  code: string
  message: string
  carrierMessage?: string
  retryable?: boolean
  details?: Record<string, unknown>
}

export interface CarrierErrorOptions {
  /** A stable machine code: the carrier's own error code when it has one. */
  code?: string
  /** The carrier's message, verbatim, for operators. */
  carrierMessage?: string
  details?: Record<string, unknown>
  cause?: unknown
}

export class CarrierError extends Error {
  override name = 'CarrierError'
  readonly code: string
  readonly carrierMessage?: string
  readonly details?: Record<string, unknown>
  /** The same request may succeed later (the hub may retry or try again soon). */
  readonly retryable: boolean = false
  /**
   * The outcome says the carrier integration is unhealthy, so it counts against the
   * account's circuit breaker. "No riders" or "order refused" are answers, not faults.
   */
  readonly countsAsFailure: boolean = true

  constructor(message: string, options: CarrierErrorOptions = {}, defaultCode = 'carrier_error') {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = options.code ?? defaultCode
    this.carrierMessage = options.carrierMessage
    this.details = options.details
  }

  toJSON(): SerializedCarrierError {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      carrierMessage: this.carrierMessage,
      retryable: this.retryable,
      details: this.details,
    }
  }
}

/** Network trouble, carrier 5xx, rate limits: try again later. */
export class RetryableError extends CarrierError {
  override name = 'RetryableError'
  override readonly retryable = true
  constructor(message: string, options: CarrierErrorOptions = {}) {
    super(message, options, 'carrier_unavailable')
  }
}

/** The carrier has no rider for this order now (运力不足). Try another carrier. */
export class CapacityError extends CarrierError {
  override name = 'CapacityError'
  override readonly retryable = true
  override readonly countsAsFailure = false
  constructor(message: string, options: CarrierErrorOptions = {}) {
    super(message, options, 'no_capacity')
  }
}

/** The carrier refused this order (out of area, goods not allowed, too heavy). */
export class RejectedError extends CarrierError {
  override name = 'RejectedError'
  override readonly countsAsFailure = false
  constructor(message: string, options: CarrierErrorOptions = {}) {
    super(message, options, 'rejected')
  }
}

/** The request itself is wrong (missing field, bad phone); retrying will not help. */
export class InvalidRequestError extends CarrierError {
  override name = 'InvalidRequestError'
  override readonly countsAsFailure = false
  constructor(message: string, options: CarrierErrorOptions = {}) {
    super(message, options, 'invalid_request')
  }
}

/** Credentials refused or signature rejected; an admin must fix the account. */
export class AuthError extends CarrierError {
  override name = 'AuthError'
  constructor(message: string, options: CarrierErrorOptions = {}) {
    super(message, options, 'auth_failed')
  }
}

/** The carrier answered something the plugin cannot understand (unknown status, bad JSON). */
export class ProtocolError extends CarrierError {
  override name = 'ProtocolError'
  constructor(message: string, options: CarrierErrorOptions = {}) {
    super(message, options, 'unexpected_response')
  }
}

type CarrierErrorClass = new (message: string, options?: CarrierErrorOptions) => CarrierError

const SDK_ERROR_CLASSES: Record<string, CarrierErrorClass> = {
  RetryableError,
  CapacityError,
  RejectedError,
  InvalidRequestError,
  AuthError,
  ProtocolError,
}

export function isSerializedCarrierError(value: unknown): value is SerializedCarrierError {
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as Record<string, unknown>
  return (
    typeof candidate.name === 'string' &&
    typeof candidate.code === 'string' &&
    typeof candidate.message === 'string'
  )
}

/**
 * Rebuilds an SDK error from its JSON form. Returns undefined for names the SDK does
 * not know, so the caller can wrap them in its own error type.
 */
export function deserializeCarrierError(value: SerializedCarrierError): CarrierError | undefined {
  const ErrorClass = SDK_ERROR_CLASSES[value.name]
  if (!ErrorClass) return undefined
  return new ErrorClass(value.message, {
    code: value.code,
    carrierMessage: value.carrierMessage,
    details: value.details,
  })
}

/** Duck-typed check that survives bundling (a plugin bundles its own copy of the SDK). */
export function looksLikeCarrierError(error: unknown): error is CarrierError {
  return (
    error instanceof Error &&
    typeof (error as Partial<CarrierError>).code === 'string' &&
    typeof (error as Partial<CarrierError>).toJSON === 'function' &&
    error.name in SDK_ERROR_CLASSES
  )
}
