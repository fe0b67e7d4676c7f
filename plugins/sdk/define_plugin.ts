/**
 * `definePlugin` is what a plugin's entry default-exports. It brands the definition
 * (so the host can tell a plugin from any other module) and wraps the adapter so
 * events carry a unified status even when the plugin only filled the carrier code.
 */
import type {
  CarrierMethods,
  NormalizedEvent,
  PluginContext,
  PluginDefinition,
  StatusEvent,
} from './contract.js'
import { ProtocolError } from './errors.js'
import type { Manifest } from './manifest.js'
import { SDK_CONTRACT_VERSION } from './manifest.js'
import { isUnifiedStatus, type StatusMap, type UnifiedStatus } from './status.js'

export interface PluginSpec<Config> {
  manifest?: Manifest
  /** Every code the carrier documents, as a string, mapped to one unified status. */
  statusMap: StatusMap
  create(ctx: PluginContext<Config>): CarrierMethods
}

/** Looks a carrier code up; an unknown code is a protocol problem, not a guess. */
export function mapCarrierStatus(
  statusMap: StatusMap,
  carrierStatus: string | number
): UnifiedStatus {
  const status = statusMap[String(carrierStatus)]
  if (!status) {
    throw new ProtocolError(`Unknown carrier status code "${carrierStatus}"`, {
      code: 'unknown_status',
      details: { carrierStatus: String(carrierStatus) },
    })
  }
  return status
}

type EventWithOptionalStatus<T extends StatusEvent> = Omit<T, 'status'> & { status?: UnifiedStatus }

function withStatus<T extends StatusEvent>(
  statusMap: StatusMap,
  events: EventWithOptionalStatus<T>[]
): T[] {
  return events.map((event) => {
    const status = isUnifiedStatus(event.status)
      ? event.status
      : mapCarrierStatus(statusMap, event.carrierStatus)
    return { ...event, status } as T
  })
}

function wrapAdapter(statusMap: StatusMap, methods: CarrierMethods): CarrierMethods {
  const wrapped: CarrierMethods = { ...methods }
  const { track, verifyWebhook } = methods
  if (track) {
    wrapped.track = async (ref) =>
      withStatus<StatusEvent>(statusMap, await track.call(methods, ref))
  }
  if (verifyWebhook) {
    wrapped.verifyWebhook = async (request) =>
      withStatus<NormalizedEvent>(statusMap, await verifyWebhook.call(methods, request))
  }
  return wrapped
}

export function definePlugin<Config = Record<string, unknown>>(
  spec: PluginSpec<Config>
): PluginDefinition<Config> {
  for (const [code, status] of Object.entries(spec.statusMap)) {
    if (!isUnifiedStatus(status)) {
      throw new TypeError(`statusMap["${code}"] is "${status}", which is not a unified status`)
    }
  }
  return Object.freeze({
    kind: 'courier-hub.carrier-plugin' as const,
    contractVersion: SDK_CONTRACT_VERSION,
    manifest: spec.manifest,
    statusMap: Object.freeze({ ...spec.statusMap }),
    create: (ctx: PluginContext<Config>) => wrapAdapter(spec.statusMap, spec.create(ctx)),
  })
}
