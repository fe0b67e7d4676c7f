import { DateTime } from 'luxon'
import type Merchant from '#models/merchant'
import type Order from '#models/order'
import type { RulesetDocument } from '#dispatch/types'
import type { CompiledRuleset } from '#dispatch/rules/compiler'
import { loadShippedRuleset } from '#dispatch/rules/shipped_rulesets'
import { decide } from '#dispatch/decision/decide'
import {
  generateDispatchCases,
  type DispatchCase,
} from '#dispatch/generators/dispatch_case_generator'
import { recordDecision } from '#services/rulesets/decision_records'
import { createOrderFor } from '#tests/helpers/fixtures'

/*
 * Shared pieces of the ruleset tests. Tests never change the global ruleset
 * (other suites dispatch with it); lifecycle scenarios run on merchant overrides,
 * which every test creates for its own merchant.
 */

export const RULESETS = '/api/v1/admin/rulesets'

export function defaults(): RulesetDocument {
  return structuredClone(loadShippedRuleset('default'))
}

/**
 * The defaults with the peak-hours rule removed, the severe-weather tip raised and
 * a rule against UU added: one rule of each kind in a diff.
 */
export function editedDefaults(): RulesetDocument {
  const edited = defaults()
  edited.orderRules = edited.orderRules.filter((rule) => rule.name !== 'peak-hours-speed-first')
  edited.orderRules.find((rule) => rule.name === 'severe-weather-tip')!.event.params = {
    amount_fen: 500,
  }
  edited.candidateRules.push({
    name: 'avoid-uu',
    priority: 5,
    conditions: { all: [{ fact: 'quote', path: '$.carrier', operator: 'equal', value: 'uu' }] },
    event: { type: 'adjust-score', params: { delta: -50 } },
  })
  return edited
}

/** A proposal that changes many winners: SF gets a large bonus, Dada a large penalty. */
export function sfFriendly(): RulesetDocument {
  const document = defaults()
  document.name = 'sf-friendly'
  document.candidateRules.push(
    {
      name: 'prefer-sf',
      priority: 5,
      conditions: { all: [{ fact: 'quote', path: '$.carrier', operator: 'equal', value: 'sf' }] },
      event: { type: 'adjust-score', params: { delta: 40 } },
    },
    {
      name: 'avoid-dada',
      priority: 5,
      conditions: { all: [{ fact: 'quote', path: '$.carrier', operator: 'equal', value: 'dada' }] },
      event: { type: 'adjust-score', params: { delta: -40 } },
    }
  )
  return document
}

export interface SeededDecision {
  order: Order
  dispatchCase: DispatchCase
  at: DateTime
}

/**
 * Stored orders with a decision record each, made by `compiled` on generated
 * facts and quotes exactly as the dispatch pipeline will record them. Decision
 * times are spread over the hours after `start` (China time), one per 10 minutes.
 */
export async function seedDecisionHistory(options: {
  merchant: Merchant
  storeId: number
  count: number
  seed: number
  start: string
  compiled: CompiledRuleset
  versionId: number
}): Promise<SeededDecision[]> {
  const cases = generateDispatchCases(options.seed, options.count)
  const start = DateTime.fromISO(options.start, { zone: 'UTC+8' })
  const seeded: SeededDecision[] = []
  for (const [index, dispatchCase] of cases.entries()) {
    const order = await createOrderFor(options.merchant, options.storeId)
    dispatchCase.facts.order.id = order.id
    dispatchCase.facts.order.merchant_id = options.merchant.id
    dispatchCase.facts.order.store_id = options.storeId
    dispatchCase.facts.merchant.id = options.merchant.id
    const at = start.plus({ minutes: 10 * index }).toUTC()
    const decision = decide(options.compiled, dispatchCase.facts, dispatchCase.quotes)
    await recordDecision({
      orderId: order.id,
      merchantId: options.merchant.id,
      rulesetVersionId: options.versionId,
      facts: dispatchCase.facts,
      quotes: dispatchCase.quotes,
      decision,
      createdAt: at,
    })
    seeded.push({ order, dispatchCase, at })
  }
  return seeded
}

/** Row count of a model query, the same number on SQLite and MySQL. */
export async function countRows(query: { count(column: string): Promise<any[]> }) {
  const [row] = await query.count('* as total')
  return Number(row.$extras.total)
}
