/**
 * Manifest and account-config validation. Every problem names the field it is about,
 * so a rejected package or account form tells its author exactly what to fix.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import ajvFormats from 'ajv-formats'
import type { Manifest } from '../manifest.js'
import { SDK_CONTRACT_VERSION } from '../manifest.js'
import { MANIFEST_SCHEMA } from '../manifest_schema.js'
import { isValidRange, satisfiesRange } from './semver.js'

export class ManifestError extends Error {
  override name = 'ManifestError'
  readonly problems: string[]
  constructor(problems: string[]) {
    super(`Invalid manifest: ${problems.join('; ')}`)
    this.problems = problems
  }
}

function newAjv(): Ajv {
  // strictRequired is off because semanticProblems() reports unknown required fields more clearly.
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, useDefaults: true })
  ajvFormats.default(ajv)
  // The hub's UI extensions: validated by the manifest schema, ignored when validating config values.
  ajv.addKeyword({ keyword: 'x-ui' })
  ajv.addKeyword({ keyword: 'x-secret' })
  return ajv
}

const manifestAjv = newAjv()
const validateManifestShape = manifestAjv.compile(
  MANIFEST_SCHEMA as unknown as Record<string, unknown>
)

const FRIENDLY_PATTERN_MESSAGES: Array<[RegExp, string]> = [
  [
    /^id$/,
    'must be a lowercase slug (a-z, 0-9, "_" or "-", starting with a letter), e.g. "own_fleet"',
  ],
  [/^version$/, 'must be a semantic version such as 1.2.0'],
  [
    /^entry$/,
    'must be a relative path to a .js or .mjs file inside the package (no "..", no leading "/")',
  ],
  [/^egress\.\d+$/, 'must be a lowercase host name, "*.domain" or "host:port"'],
]

function fieldName(instancePath: string): string {
  return instancePath
    .replace(/^\//, '')
    .replaceAll('/', '.')
    .replaceAll('~1', '/')
    .replaceAll('~0', '~')
}

function describeAjvError(error: ErrorObject, root: string): string {
  const field = fieldName(error.instancePath)
  const where = field ? `${root ? `${root}.` : ''}${field}` : root || '(root)'
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'required':
      return `${root ? `${root}.` : ''}${field ? `${field}.` : ''}${params.missingProperty} is required`
    case 'additionalProperties':
      return `${where} has an unknown field "${params.additionalProperty}"`
    case 'enum':
      return `${where} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
    case 'pattern': {
      const friendly = FRIENDLY_PATTERN_MESSAGES.find(([matcher]) => matcher.test(field))
      return `${where} ${friendly ? friendly[1] : error.message}`
    }
    default:
      return `${where} ${error.message}`
  }
}

function ajvProblems(validate: ValidateFunction, root: string): string[] {
  return (validate.errors ?? []).map((error) => describeAjvError(error, root))
}

export interface ManifestCheckOptions {
  /** The host contract version the manifest's hostApi range must accept. */
  hostApiVersion?: string
}

/** Problems beyond the JSON Schema: ranges, the config form, and rules that span fields. */
function semanticProblems(manifest: Manifest, hostApiVersion: string): string[] {
  const problems: string[] = []
  if (!isValidRange(manifest.hostApi)) {
    problems.push(`hostApi "${manifest.hostApi}" is not a valid semver range (try "^1.0.0")`)
  } else if (!satisfiesRange(hostApiVersion, manifest.hostApi)) {
    problems.push(
      `hostApi "${manifest.hostApi}" is not satisfied by this hub's plugin API ${hostApiVersion}; build against a compatible SDK`
    )
  }
  const properties = manifest.configSchema.properties
  for (const name of manifest.configSchema.required ?? []) {
    if (!(name in properties))
      problems.push(
        `configSchema.required lists "${name}", which is not in configSchema.properties`
      )
  }
  for (const [name, property] of Object.entries(properties)) {
    const component = property['x-ui'].component
    if (property['x-secret'] && component !== 'password' && component !== 'textarea') {
      problems.push(
        `configSchema.properties.${name} is x-secret, so its x-ui.component must be "password" or "textarea"`
      )
    }
    if (component === 'select' && !Array.isArray(property.enum)) {
      problems.push(`configSchema.properties.${name} uses a "select" but has no enum of options`)
    }
    if (component === 'switch' && property.type !== 'boolean') {
      problems.push(`configSchema.properties.${name} uses a "switch" but its type is not boolean`)
    }
  }
  try {
    newAjv().compile(manifest.configSchema as unknown as Record<string, unknown>)
  } catch (error) {
    problems.push(`configSchema is not a valid JSON Schema: ${(error as Error).message}`)
  }
  return problems
}

/** Validates a parsed manifest.json; returns every problem found (empty when valid). */
export function manifestProblems(value: unknown, options: ManifestCheckOptions = {}): string[] {
  if (!validateManifestShape(value)) return ajvProblems(validateManifestShape, '')
  return semanticProblems(value as Manifest, options.hostApiVersion ?? SDK_CONTRACT_VERSION)
}

/** Returns the manifest typed, or throws ManifestError listing every problem. */
export function parseManifest(value: unknown, options: ManifestCheckOptions = {}): Manifest {
  const problems = manifestProblems(value, options)
  if (problems.length > 0) throw new ManifestError(problems)
  return value as Manifest
}

const configValidators = new WeakMap<Manifest, ValidateFunction>()

/**
 * Validates a carrier account's settings against the plugin's configSchema (fills
 * defaults in place). The API calls this when an admin saves an account.
 */
export function accountConfigProblems(manifest: Manifest, config: unknown): string[] {
  let validate = configValidators.get(manifest)
  if (!validate) {
    validate = newAjv().compile(manifest.configSchema as unknown as Record<string, unknown>)
    configValidators.set(manifest, validate)
  }
  return validate(config) ? [] : ajvProblems(validate, 'config')
}

/** Names of the config fields to encrypt at rest and never return from the API. */
export function secretFields(manifest: Manifest): string[] {
  return Object.entries(manifest.configSchema.properties)
    .filter(([, property]) => property['x-secret'] === true)
    .map(([name]) => name)
}
