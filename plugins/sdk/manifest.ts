/**
 * The plugin manifest (`manifest.json` at the package root). Its JSON Schema is
 * `manifest.schema.json` beside this file; the two must describe the same shape.
 */

/** Version of the contract this SDK implements. A manifest's `hostApi` range must accept the host's. */
export const SDK_CONTRACT_VERSION = '1.0.0'

export const CAPABILITIES = [
  'quote',
  'create',
  'cancel',
  'preCancel',
  'tip',
  'track',
  'riderLocation',
  'webhook',
  'proofOfDelivery',
] as const

export type Capability = (typeof CAPABILITIES)[number]

/** The plugin method that implements each capability. */
export const CAPABILITY_METHODS = {
  quote: 'quote',
  create: 'create',
  cancel: 'cancel',
  preCancel: 'preCancel',
  tip: 'addTip',
  track: 'track',
  riderLocation: 'riderLocation',
  webhook: 'verifyWebhook',
  proofOfDelivery: 'proofOfDelivery',
} as const satisfies Record<Capability, string>

export type CarrierMethodName = (typeof CAPABILITY_METHODS)[Capability]

export type LocalizedText = { 'zh-CN': string; 'en': string }

export type MoneyUnit = 'fen' | 'yuan' | 'cents'

export type CoordinateSystem = 'gcj02' | 'bd09' | 'wgs84'

export type UiComponent = 'input' | 'password' | 'select' | 'number' | 'switch' | 'textarea'

/** UI hints the console uses to render one field of the account form. */
export interface UiHints {
  component: UiComponent
  label: LocalizedText
  help?: LocalizedText
  order?: number
  placeholder?: string
}

/** One property of the account config schema (a JSON Schema fragment plus hub extensions). */
export interface ConfigProperty {
  'type': 'string' | 'number' | 'integer' | 'boolean'
  'x-ui': UiHints
  /** Encrypted at rest, never returned by the API, masked in logs. */
  'x-secret'?: boolean
  'enum'?: Array<string | number>
  'default'?: string | number | boolean
  [keyword: string]: unknown
}

export interface ConfigSchema {
  type: 'object'
  properties: Record<string, ConfigProperty>
  required?: string[]
  additionalProperties?: boolean
}

export interface Manifest {
  /** Lowercase slug, unique in the hub: `dada`, `sf_same_city`, `own_fleet`. */
  id: string
  /** Semantic version of this plugin package. */
  version: string
  name: LocalizedText
  description?: LocalizedText
  /** Semver range of host contract versions this plugin works with, e.g. `^1.0.0`. */
  hostApi: string
  capabilities: Capability[]
  configSchema: ConfigSchema
  /** Host names the plugin may call; `*.example.com` matches sub-domains, `host:port` pins a port. */
  egress: string[]
  /** The unit the carrier's API uses for money (the plugin still speaks fen to the hub). */
  money: MoneyUnit
  coordinates: { system: CoordinateSystem; scale?: number }
  /** The single self-contained ESM file the worker imports, relative to the package root. */
  entry: string
  author?: string
  homepage?: string
}
