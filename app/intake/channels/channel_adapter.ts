import type { FieldError } from '#exceptions/problem'

/**
 * Turns one foreign order push (a delivery platform's own JSON) into the hub's
 * order input. Shape errors point at the foreign document's own fields.
 */
export interface ChannelAdapter {
  /** The `channel` stamped on the orders it produces, and the URL segment. */
  readonly channel: string
  readonly title: string
  /** JSON Schema of the foreign payload (published in the OpenAPI document). */
  readonly schema: object
  normalize(
    payload: unknown
  ): { ok: true; order: Record<string, unknown> } | { ok: false; errors: FieldError[] }
}
