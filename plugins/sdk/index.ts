/**
 * The carrier plugin SDK: everything a plugin imports at run time. It depends on
 * nothing but Node's built-ins, so a plugin bundles it into its single entry file.
 * Tooling (packaging, conformance, stubbed HTTP) lives in separate modules that
 * plugins use only from their build scripts and tests.
 */
export * from './contract.js'
export * from './manifest.js'
export * from './status.js'
export * from './errors.js'
export * from './define_plugin.js'
export * from './signing.js'
export * from './money.js'
export * from './coordinates.js'
