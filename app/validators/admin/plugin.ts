import vine from '@vinejs/vine'

/** Same rule as manifest.json `id`: what may appear in /plugins/:id. */
export const PLUGIN_ID_PATTERN = /^[a-z][a-z0-9_-]{0,63}$/

export const pluginId = () => vine.string().trim().regex(PLUGIN_ID_PATTERN)

export const pluginListValidator = vine.compile(
  vine.object({
    include_uninstalled: vine.boolean().optional(),
  })
)

export const rollbackPluginValidator = vine.compile(
  vine.object({
    version: vine
      .string()
      .trim()
      .maxLength(64)
      .regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/),
  })
)
