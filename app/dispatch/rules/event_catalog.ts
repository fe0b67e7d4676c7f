import type { RulePhase } from '#dispatch/types'
import { STRATEGIES } from '#dispatch/rules/fact_catalog'

/*
 * Event types per phase with a JSON Schema for their params. The validator
 * compiles these with ajv; the console renders them as forms.
 */

export interface EventTypeDefinition {
  type: string
  phase: RulePhase
  description: string
  paramsSchema: Record<string, unknown>
  example: Record<string, unknown>
}

const CARRIER_ID = { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,63}$', description: 'Carrier id' }
const REASON = { type: 'string', minLength: 1, maxLength: 200 }

const params = (properties: Record<string, unknown>, required = Object.keys(properties)) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
})

const WEIGHT = { type: 'number', minimum: 0, maximum: 100 }

export const EVENT_TYPES: readonly EventTypeDefinition[] = [
  {
    type: 'set-strategy',
    phase: 'order',
    description:
      'Choose how candidates are ranked. The highest-priority rule that fires wins; ties go to the rule listed first.',
    paramsSchema: params(
      {
        strategy: { enum: [...STRATEGIES] },
        weights: params({ cost: WEIGHT, speed: WEIGHT, rating: WEIGHT, acceptance: WEIGHT }),
      },
      ['strategy']
    ),
    example: { strategy: 'speed-first' },
  },
  {
    type: 'add-tip',
    phase: 'order',
    description: 'Add a tip on top of the quoted fee. Tips from several rules add up.',
    paramsSchema: params({ amount_fen: { type: 'integer', minimum: 1, maximum: 100000 } }),
    example: { amount_fen: 300 },
  },
  {
    type: 'require-capability',
    phase: 'order',
    description: 'Exclude every quote that does not list this capability.',
    paramsSchema: params({
      capability: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,63}$' },
    }),
    example: { capability: 'cold_chain' },
  },
  {
    type: 'exclude-carrier',
    phase: 'order',
    description: 'Exclude every quote from this carrier.',
    paramsSchema: params({ carrier: CARRIER_ID, reason: REASON }),
    example: { carrier: 'uu', reason: 'merchant asked us not to use UU for documents' },
  },
  {
    type: 'prefer-carrier',
    phase: 'order',
    description: "Add a bonus to this carrier's score (negative to disfavour). Bonuses add up.",
    paramsSchema: params({
      carrier: CARRIER_ID,
      bonus: { type: 'number', minimum: -1000, maximum: 1000, not: { const: 0 } },
    }),
    example: { carrier: 'sf', bonus: 10 },
  },
  {
    type: 'max-fee',
    phase: 'order',
    description: 'Exclude quotes whose fee (before tip) is above this amount. The lowest cap wins.',
    paramsSchema: params({ amount_fen: { type: 'integer', minimum: 1, maximum: 10000000 } }),
    example: { amount_fen: 2500 },
  },
  {
    type: 'set-accept-timeout',
    phase: 'order',
    description:
      'How long to wait for the carrier to accept before re-dispatching. Highest priority wins.',
    paramsSchema: params({ seconds: { type: 'integer', minimum: 10, maximum: 3600 } }),
    example: { seconds: 180 },
  },
  {
    type: 'exclude',
    phase: 'candidate',
    description: 'Exclude this quote. The first excluding rule (by priority) is recorded.',
    paramsSchema: params({ reason: REASON }),
    example: { reason: 'not licensed to carry medicine' },
  },
  {
    type: 'adjust-score',
    phase: 'candidate',
    description: "Add delta points to this quote's score (negative to penalise). Deltas add up.",
    paramsSchema: params({
      delta: { type: 'number', minimum: -1000, maximum: 1000, not: { const: 0 } },
    }),
    example: { delta: 15 },
  },
]

const eventsByType = new Map(EVENT_TYPES.map((definition) => [definition.type, definition]))

export function findEventType(type: string): EventTypeDefinition | undefined {
  return eventsByType.get(type)
}

export function eventTypesForPhase(phase: RulePhase): EventTypeDefinition[] {
  return EVENT_TYPES.filter((definition) => definition.phase === phase)
}
