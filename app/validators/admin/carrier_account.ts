import vine from '@vinejs/vine'
import { id, label, pageFields } from '#validators/admin/fields'
import { pluginId } from '#validators/admin/plugin'

/*
 * The envelope of a carrier account. `config` is checked afterwards against the
 * plugin's own configSchema (ajv), which only the service knows.
 */

const config = () => vine.record(vine.any())

/** In a PATCH, `null` removes a setting (JSON merge patch). */
const configPatch = () => vine.record(vine.any().nullable())

export const carrierAccountListValidator = vine.compile(
  vine.object({
    ...pageFields(),
    plugin_id: pluginId().optional(),
    merchant_id: id().optional(),
  })
)

export const createCarrierAccountValidator = vine.compile(
  vine.object({
    plugin_id: pluginId(),
    name: label(120),
    merchant_id: id().nullable().optional(),
    store_id: id().nullable().optional(),
    city: label(64).nullable().optional(),
    enabled: vine.boolean({ strict: true }).optional(),
    config: config(),
  })
)

export const updateCarrierAccountValidator = vine.compile(
  vine.object({
    name: label(120).optional(),
    merchant_id: id().nullable().optional(),
    store_id: id().nullable().optional(),
    city: label(64).nullable().optional(),
    enabled: vine.boolean({ strict: true }).optional(),
    config: configPatch().optional(),
  })
)
