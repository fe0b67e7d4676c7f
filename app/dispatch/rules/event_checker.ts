import { Ajv, type ValidateFunction } from 'ajv'
import type { RulePhase } from '#dispatch/types'
import { EVENT_TYPES, eventTypesForPhase, findEventType } from '#dispatch/rules/event_catalog'
import { pointerTo } from '#dispatch/rules/json_pointer'
import { didYouMean } from '#dispatch/rules/suggestions'

/*
 * Semantic checks of a rule's `event`: the type must exist in the rule's phase
 * and the params must match that type's schema.
 */

type Report = (pointer: string, rule: string, message: string) => void

const ajv = new Ajv({ allErrors: true })
const paramValidators = new Map<string, ValidateFunction>(
  EVENT_TYPES.map((definition) => [definition.type, ajv.compile(definition.paramsSchema)])
)

function checkStrategyParams(params: Record<string, unknown>, pointer: string, report: Report) {
  const weights = params.weights as Record<string, number> | undefined
  if (weights === undefined) return
  if (params.strategy !== 'weighted') {
    report(
      pointerTo(pointer, 'weights'),
      'event-params',
      'weights only apply to the "weighted" strategy'
    )
    return
  }
  const total = Object.values(weights).reduce((sum, weight) => sum + weight, 0)
  if (!(total > 0)) {
    report(pointerTo(pointer, 'weights'), 'event-params', 'at least one weight must be above 0')
  }
}

export function checkEvent(
  phase: RulePhase,
  event: Record<string, unknown>,
  pointer: string,
  report: Report
) {
  const type = event.type
  if (typeof type !== 'string') return
  const phaseTypes = eventTypesForPhase(phase).map((definition) => definition.type)
  const definition = findEventType(type)
  if (!definition) {
    const hint = didYouMean(type, phaseTypes)
    report(
      pointerTo(pointer, 'type'),
      'unknown-event',
      `event type "${type}" does not exist${hint || `; ${phase} rules can emit: ${phaseTypes.join(', ')}`}`
    )
    return
  }
  if (definition.phase !== phase) {
    report(
      pointerTo(pointer, 'type'),
      'event-phase',
      `event type "${type}" belongs to ${definition.phase} rules; ${phase} rules can emit: ${phaseTypes.join(', ')}`
    )
    return
  }

  const paramsPointer = pointerTo(pointer, 'params')
  const params = event.params ?? {}
  const validate = paramValidators.get(type)!
  if (!validate(params)) {
    for (const error of validate.errors ?? []) {
      if (error.keyword === 'required') {
        const missing = String(error.params.missingProperty)
        report(
          pointerTo(paramsPointer + error.instancePath, missing),
          'event-params',
          `"${type}" needs params.${missing}`
        )
      } else if (error.keyword === 'additionalProperties') {
        const extra = String(error.params.additionalProperty)
        report(
          pointerTo(paramsPointer + error.instancePath, extra),
          'event-params',
          `"${type}" does not take params.${extra}`
        )
      } else if (error.keyword === 'not') {
        report(paramsPointer + error.instancePath, 'event-params', 'must not be 0')
      } else if (error.keyword === 'enum') {
        const allowed = (error.params.allowedValues as unknown[]).join(', ')
        report(paramsPointer + error.instancePath, 'event-params', `must be one of: ${allowed}`)
      } else {
        report(paramsPointer + error.instancePath, 'event-params', error.message ?? error.keyword)
      }
    }
    return
  }
  if (type === 'set-strategy')
    checkStrategyParams(params as Record<string, unknown>, paramsPointer, report)
}
