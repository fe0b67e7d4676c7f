import type { RulePhase } from '#dispatch/types'
import type { Shape } from '#dispatch/rules/shape'

export const ORDER_CATEGORIES = [
  'food',
  'drinks',
  'fresh',
  'grocery',
  'medicine',
  'flowers',
  'cake',
  'documents',
  'electronics',
  'other',
] as const

export const MERCHANT_TIERS = ['standard', 'vip', 'key_account'] as const
export const WEATHER_CONDITIONS = ['clear', 'cloudy', 'rain', 'heavy_rain', 'snow'] as const
export const VEHICLES = ['bike', 'ebike', 'car', 'van'] as const
export const STRATEGIES = ['cost-first', 'speed-first', 'rating-first', 'weighted'] as const

/** Capabilities the built-in carriers advertise; plugins may add their own. */
export const KNOWN_CAPABILITIES = [
  'cold_chain',
  'insulated_bag',
  'large_item',
  'fragile',
  'medicine',
  'high_value',
] as const

export interface FactDefinition {
  name: string
  phases: RulePhase[]
  description: string
  shape: Shape
  example: unknown
}

const integer = (
  description: string,
  unit?: string,
  minimum?: number,
  maximum?: number
): Shape => ({
  type: 'integer',
  description,
  ...(unit ? { 'x-unit': unit } : {}),
  ...(minimum === undefined ? {} : { minimum }),
  ...(maximum === undefined ? {} : { maximum }),
})
const number = (description: string, minimum?: number, maximum?: number, unit?: string): Shape => ({
  type: 'number',
  description,
  ...(unit ? { 'x-unit': unit } : {}),
  ...(minimum === undefined ? {} : { minimum }),
  ...(maximum === undefined ? {} : { maximum }),
})
const string = (description: string, values?: readonly string[]): Shape => ({
  type: 'string',
  description,
  ...(values ? { enum: values } : {}),
})
const boolean = (description: string): Shape => ({ type: 'boolean', description })
const stringList = (description: string): Shape => ({
  type: 'array',
  description,
  items: { type: 'string' },
})
const object = (description: string, properties: Record<string, Shape>): Shape => ({
  type: 'object',
  description,
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
})

const orderShape = object('The order being dispatched', {
  id: integer('Order id in the hub'),
  merchant_id: integer('Merchant id'),
  store_id: integer('Store id'),
  channel: string('Where the order came from: pos, mini_program, meituan, eleme, …'),
  external_id: string('Order number in the source channel'),
  category: string('What is delivered', ORDER_CATEGORIES),
  tags: stringList('Free tags set at intake: vip, cold_chain, fragile, urgent, …'),
  weight_g: integer('Total weight', 'g', 0),
  declared_value_fen: integer('Declared value of the goods', 'fen', 0),
  item_count: integer('Number of items', undefined, 0),
  is_scheduled: boolean('Booked for a later delivery window'),
  distance_m: integer('Store to recipient distance as the hub computed it', 'm', 0),
  recipient: object('Where it goes (no name, phone or address: those never reach rules)', {
    city: string('Recipient city'),
    lat: number('Latitude (GCJ-02)', -90, 90),
    lng: number('Longitude (GCJ-02)', -180, 180),
  }),
})

export const FACT_DEFINITIONS: readonly FactDefinition[] = [
  {
    name: 'order',
    phases: ['order', 'candidate'],
    description: 'The order being dispatched',
    shape: orderShape,
    example: {
      id: 90001,
      merchant_id: 1001,
      store_id: 2001,
      channel: 'pos',
      external_id: 'POS-20240601-0042',
      category: 'cake',
      tags: ['vip', 'fragile'],
      weight_g: 3200,
      declared_value_fen: 36800,
      item_count: 1,
      is_scheduled: false,
      distance_m: 4200,
      recipient: { city: 'Shanghai', lat: 31.224, lng: 121.469 },
    },
  },
  {
    name: 'merchant',
    phases: ['order', 'candidate'],
    description: 'The merchant who owns the order',
    shape: object('Merchant', {
      id: integer('Merchant id'),
      name: string('Merchant name'),
      tier: string('Commercial tier', MERCHANT_TIERS),
    }),
    example: { id: 1001, name: 'Sweet Moments Bakery', tier: 'vip' },
  },
  {
    name: 'store',
    phases: ['order', 'candidate'],
    description: 'The store the courier picks up from',
    shape: object('Store', {
      id: integer('Store id'),
      city: string('Store city'),
      lat: number('Latitude (GCJ-02)', -90, 90),
      lng: number('Longitude (GCJ-02)', -180, 180),
    }),
    example: { id: 2001, city: 'Shanghai', lat: 31.2304, lng: 121.4737 },
  },
  {
    name: 'weather',
    phases: ['order', 'candidate'],
    description: 'Weather at the store when the order is dispatched',
    shape: object('Weather', {
      condition: string('Sky condition', WEATHER_CONDITIONS),
      temperature_c: number('Air temperature', -50, 60, '°C'),
      wind_level: integer('Wind force on the Beaufort scale', undefined, 0, 17),
    }),
    example: { condition: 'heavy_rain', temperature_c: 24, wind_level: 5 },
  },
  {
    name: 'time',
    phases: ['order', 'candidate'],
    description: 'Local time (China Standard Time unless configured) when the order is dispatched',
    shape: {
      ...object('Local time', {
        hour: integer('Hour', undefined, 0, 23),
        minute: integer('Minute', undefined, 0, 59),
        weekday: integer('ISO weekday, 1 = Monday … 7 = Sunday', undefined, 1, 7),
        is_peak: boolean('Inside a configured peak window (lunch and dinner by default)'),
        minute_of_day: {
          ...integer('Minutes since midnight', 'minute-of-day', 0, 1439),
          'x-time-of-day': true,
        },
      }),
      'x-time-of-day': true,
    },
    example: { hour: 12, minute: 5, weekday: 5, is_peak: true, minute_of_day: 725 },
  },
  {
    name: 'quote',
    phases: ['candidate'],
    description: 'One carrier quote for this order (candidate rules run once per quote)',
    shape: object('Quote', {
      carrier: string('Carrier id: dada, sf, shansong, meituan, fengniao, uu, own_fleet, …'),
      account_id: string('The merchant account at that carrier that produced the quote'),
      fee_fen: integer('Quoted delivery fee', 'fen', 0),
      pickup_eta_s: integer('Estimated time until a rider picks up', 's', 0),
      dropoff_eta_s: integer('Estimated time from pickup to the door', 's', 0),
      distance_m: integer('Distance as the carrier computed it', 'm', 0),
      capabilities: stringList(`What this offer can do: ${KNOWN_CAPABILITIES.join(', ')}, …`),
      vehicle: string('Vehicle the carrier will send', VEHICLES),
    }),
    example: {
      carrier: 'sf',
      account_id: 'sf-main',
      fee_fen: 1200,
      pickup_eta_s: 600,
      dropoff_eta_s: 1500,
      distance_m: 4300,
      capabilities: ['insulated_bag', 'cold_chain'],
      vehicle: 'ebike',
    },
  },
  {
    name: 'carrier',
    phases: ['candidate'],
    description: 'Recent performance of the quoting carrier in this city',
    shape: object('Carrier statistics', {
      id: string('Carrier id'),
      rating: number('Average rider rating', 0, 5),
      acceptance_rate: number('Share of offers accepted in time', 0, 1),
      on_time_rate: number('Share of deliveries on time', 0, 1),
      licensed_medicine: boolean('Licensed to carry medicine'),
    }),
    example: {
      id: 'sf',
      rating: 4.8,
      acceptance_rate: 0.93,
      on_time_rate: 0.95,
      licensed_medicine: true,
    },
  },
  {
    name: 'decision',
    phases: ['candidate'],
    description: 'What the order rules decided, so candidate rules can build on it',
    shape: object('Order-level outcome', {
      strategy: string('Chosen strategy', STRATEGIES),
      tip_fen: integer('Total tip added by order rules', 'fen', 0),
      max_fee_fen: {
        'type': ['integer', 'null'],
        'description': 'Fee cap, or null',
        'x-unit': 'fen',
      },
      required_capabilities: stringList('Capabilities every carrier must offer'),
      fired_rules: stringList('Names of the order rules that fired'),
    }),
    example: {
      strategy: 'speed-first',
      tip_fen: 300,
      max_fee_fen: null,
      required_capabilities: ['cold_chain'],
      fired_rules: ['peak-hours-speed-first', 'severe-weather-tip'],
    },
  },
]

const factsByName = new Map(FACT_DEFINITIONS.map((fact) => [fact.name, fact]))

export function findFact(name: string): FactDefinition | undefined {
  return factsByName.get(name)
}

export function factsForPhase(phase: RulePhase): FactDefinition[] {
  return FACT_DEFINITIONS.filter((fact) => fact.phases.includes(phase))
}

/** Named category sets usable with `inCategorySet`. */
export const CATEGORY_SETS: Readonly<Record<string, readonly string[]>> = {
  perishable: ['food', 'drinks', 'fresh', 'cake', 'flowers'],
  fragile: ['cake', 'flowers', 'electronics'],
  regulated: ['medicine'],
  high_care: ['medicine', 'cake', 'electronics', 'documents'],
}
