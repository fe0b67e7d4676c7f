/**
 * The account form of a plugin, ready for the console: the manifest's configSchema
 * with every `x-ui` text resolved to one language, and secret fields marked the
 * JSON Schema way (`writeOnly`) besides the hub's own `x-secret`.
 */
import type { ConfigSchema, LocalizedText, Manifest } from '#sdk/manifest'
import { secretFields } from '#sdk/packaging/manifest_validator'

export const UI_LANGUAGES = ['zh-CN', 'en'] as const
export type UiLanguage = (typeof UI_LANGUAGES)[number]

/** The console's home market is China: anything we cannot match gets Chinese. */
export const DEFAULT_UI_LANGUAGE: UiLanguage = 'zh-CN'

/**
 * Picks zh-CN or en from an Accept-Language header (RFC 9110 quality values).
 * Any `zh*` tag means Chinese, any `en*` English; q=0 excludes a tag.
 */
export function pickLanguage(header: string | undefined | null): UiLanguage {
  if (!header) return DEFAULT_UI_LANGUAGE
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().toLowerCase().split(';')
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
      return { tag: tag.trim(), q: q ? Number(q.slice(2)) : 1, index }
    })
    .filter((entry) => entry.tag && Number.isFinite(entry.q) && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
  for (const { tag } of ranked) {
    if (tag === 'zh' || tag.startsWith('zh-')) return 'zh-CN'
    if (tag === 'en' || tag.startsWith('en-')) return 'en'
  }
  return DEFAULT_UI_LANGUAGE
}

function pick(text: LocalizedText | undefined, language: UiLanguage): string | undefined {
  return text ? (text[language] ?? text[DEFAULT_UI_LANGUAGE]) : undefined
}

export interface LocalizedConfigSchema {
  plugin_id: string
  version: string
  language: UiLanguage
  name: string
  description: string | null
  secret_fields: string[]
  schema: Omit<ConfigSchema, 'properties'> & { properties: Record<string, Record<string, unknown>> }
}

export function localizedConfigSchema(
  manifest: Manifest,
  language: UiLanguage
): LocalizedConfigSchema {
  const { properties, ...rest } = manifest.configSchema
  const localized: Record<string, Record<string, unknown>> = {}
  for (const [field, property] of Object.entries(properties)) {
    const { 'x-ui': ui, ...schema } = property
    localized[field] = {
      ...schema,
      ...(property['x-secret'] ? { writeOnly: true } : {}),
      'x-ui': {
        ...ui,
        label: pick(ui.label, language),
        ...(ui.help ? { help: pick(ui.help, language) } : {}),
      },
    }
  }
  return {
    plugin_id: manifest.id,
    version: manifest.version,
    language,
    name: pick(manifest.name, language)!,
    description: pick(manifest.description, language) ?? null,
    secret_fields: secretFields(manifest),
    schema: { ...rest, properties: localized },
  }
}
