/*
 * JavaScript entry point for ace commands: registers the TypeScript loader, then
 * boots the console. Replaced by the compiled file in production builds.
 */
import '@poppinss/ts-exec'

await import('./bin/console.js')
