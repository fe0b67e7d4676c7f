/**
 * JSON Schemas of what each plugin method must return. The host validates every
 * answer from a worker against these (a plugin returning garbage fails the call
 * instead of corrupting an order), and the conformance kit uses the same schemas.
 */
import type { CarrierMethodName } from './manifest.js'
import { UNIFIED_STATUSES } from './status.js'

const fen = { type: 'integer', minimum: 0 }
const isoTime = { type: 'string', minLength: 10, pattern: '^\\d{4}-\\d{2}-\\d{2}T' }
const latitude = { type: 'number', minimum: -90, maximum: 90 }
const longitude = { type: 'number', minimum: -180, maximum: 180 }

const rider = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    phone: { type: 'string' },
    lat: latitude,
    lng: longitude,
  },
}

const statusEventProperties = {
  occurredAt: isoTime,
  carrierStatus: { type: 'string', minLength: 1 },
  status: { enum: [...UNIFIED_STATUSES] },
  rider,
  note: { type: 'string' },
}

const statusEvent = {
  type: 'object',
  required: ['occurredAt', 'carrierStatus', 'status'],
  properties: statusEventProperties,
}

const normalizedEvent = {
  type: 'object',
  required: ['eventId', 'carrierOrderId', 'occurredAt', 'carrierStatus', 'status'],
  properties: {
    ...statusEventProperties,
    eventId: { type: 'string', minLength: 1 },
    carrierOrderId: { type: 'string', minLength: 1 },
  },
}

export const RESULT_SCHEMAS: Record<CarrierMethodName, Record<string, unknown>> = {
  quote: {
    type: 'object',
    required: ['feeFen', 'pickupEtaS', 'dropoffEtaS', 'distanceM', 'quoteToken', 'expiresAt'],
    properties: {
      feeFen: fen,
      pickupEtaS: { type: 'number', minimum: 0 },
      dropoffEtaS: { type: 'number', minimum: 0 },
      distanceM: { type: 'number', minimum: 0 },
      quoteToken: { type: 'string' },
      expiresAt: isoTime,
    },
  },
  create: {
    type: 'object',
    required: ['carrierOrderId'],
    properties: { carrierOrderId: { type: 'string', minLength: 1 }, feeFen: fen },
  },
  preCancel: { type: 'object', required: ['feeFen'], properties: { feeFen: fen } },
  cancel: {
    anyOf: [{ type: 'null' }, { type: 'object', properties: { feeFen: fen } }],
  },
  addTip: { type: 'null' },
  track: { type: 'array', items: statusEvent },
  riderLocation: {
    type: 'object',
    required: ['lat', 'lng', 'at'],
    properties: { lat: latitude, lng: longitude, at: isoTime },
  },
  verifyWebhook: { type: 'array', items: normalizedEvent },
  proofOfDelivery: {
    type: 'object',
    required: ['photoUrls', 'at'],
    properties: {
      photoUrls: { type: 'array', items: { type: 'string', minLength: 1 } },
      signedBy: { type: 'string' },
      at: isoTime,
    },
  },
}
