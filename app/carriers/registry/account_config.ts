/**
 * A carrier account's settings against its plugin's configSchema: validation with
 * field pointers for the API, defaults filled in, and the split into plain and
 * secret fields. Secrets are encrypted one field at a time, bound to the account
 * and field (the encryption "purpose"), so the stored column shows which secrets
 * are set without decrypting anything, and a ciphertext copied to another row or
 * field does not decrypt.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import ajvFormats from 'ajv-formats'
import encryption from '@adonisjs/core/services/encryption'
import type { Manifest } from '#sdk/manifest'
import { secretFields } from '#sdk/packaging/manifest_validator'
import type { FieldError } from '#exceptions/problem'

export type ConfigValues = Record<string, unknown>

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, useDefaults: true })
ajvFormats.default(ajv)
// UI hints are for the console; they mean nothing to the validation of values.
ajv.addKeyword({ keyword: 'x-ui' })
ajv.addKeyword({ keyword: 'x-secret' })

/** Versions are immutable, so one compiled validator per id@version is enough. */
const validators = new Map<string, ValidateFunction>()

function validatorFor(manifest: Manifest): ValidateFunction {
  const key = `${manifest.id}@${manifest.version}`
  let validate = validators.get(key)
  if (!validate) {
    validate = ajv.compile(manifest.configSchema as unknown as Record<string, unknown>)
    validators.set(key, validate)
  }
  return validate
}

function escapePointer(segment: string) {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1')
}

function toFieldError(error: ErrorObject): FieldError {
  const base = `/config${error.instancePath}`
  const params = error.params as Record<string, string>
  switch (error.keyword) {
    case 'required':
      return {
        pointer: `${base}/${escapePointer(params.missingProperty)}`,
        rule: 'required',
        message: 'is required',
      }
    case 'additionalProperties':
      return {
        pointer: `${base}/${escapePointer(params.additionalProperty)}`,
        rule: 'additionalProperties',
        message: 'is not a setting of this carrier',
      }
    default:
      return { pointer: base, rule: error.keyword, message: error.message ?? 'is invalid' }
  }
}

/**
 * Validates a complete config (plain and secret fields together). Fills defaults
 * into `values` in place; returns one error per problem, empty when valid.
 */
export function configErrors(manifest: Manifest, values: ConfigValues): FieldError[] {
  const validate = validatorFor(manifest)
  return validate(values) ? [] : (validate.errors ?? []).map(toFieldError)
}

export function splitSecrets(manifest: Manifest, values: ConfigValues) {
  const names = new Set(secretFields(manifest))
  const plain: ConfigValues = {}
  const secret: ConfigValues = {}
  for (const [field, value] of Object.entries(values)) {
    ;(names.has(field) ? secret : plain)[field] = value
  }
  return { plain, secret }
}

const purpose = (accountId: number, field: string) => `carrier-account:${accountId}:${field}`

/** `{ field: ciphertext }` as stored in carrier_accounts.secrets; null when there are none. */
export function encryptSecrets(accountId: number, secret: ConfigValues): string | null {
  const entries = Object.entries(secret)
  if (entries.length === 0) return null
  return JSON.stringify(
    Object.fromEntries(
      entries.map(([field, value]) => [
        field,
        encryption.encrypt(value, { purpose: purpose(accountId, field) }),
      ])
    )
  )
}

function storedSecrets(column: string | null): Record<string, string> {
  if (!column) return {}
  try {
    const parsed = JSON.parse(column)
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {}
  } catch {
    return {}
  }
}

/** Names of the secret fields that hold a value (no decryption needed). */
export function storedSecretNames(column: string | null): string[] {
  return Object.keys(storedSecrets(column))
}

/**
 * Decrypts every stored secret. Fields that do not decrypt (APP_KEY changed, the
 * row was tampered with) are listed in `unreadable` instead.
 */
export function decryptSecrets(accountId: number, column: string | null) {
  const values: ConfigValues = {}
  const unreadable: string[] = []
  for (const [field, cipher] of Object.entries(storedSecrets(column))) {
    const value =
      typeof cipher === 'string' ? encryption.decrypt(cipher, purpose(accountId, field)) : null
    if (value === null || value === undefined) unreadable.push(field)
    else values[field] = value
  }
  return { values, unreadable }
}
