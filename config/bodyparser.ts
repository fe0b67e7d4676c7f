import { defineConfig } from '@adonisjs/core/bodyparser'

/*
 * The largest accepted body is a 5,000-order batch. Single-order routes apply a
 * tighter cap of their own (see json_body_middleware).
 */
const bodyParserConfig = defineConfig({
  allowedMethods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  form: {
    convertEmptyStringsToNull: false,
    types: ['application/x-www-form-urlencoded'],
  },
  json: {
    convertEmptyStringsToNull: false,
    limit: '16mb',
    strict: true,
    types: ['application/json', 'application/*+json'],
  },
  multipart: {
    autoProcess: true,
    convertEmptyStringsToNull: false,
    processManually: [],
    limit: '20mb',
    types: ['multipart/form-data'],
  },
  raw: {
    types: ['text/*', 'application/octet-stream'],
    limit: '1mb',
  },
})

export default bodyParserConfig
