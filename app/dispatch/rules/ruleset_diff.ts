import { isDeepStrictEqual } from 'node:util'
import type { RuleDocument, RulesetDocument } from '#dispatch/types'

/*
 * What changed between two ruleset versions, rule by rule (rules are matched by
 * name, which the validator keeps unique). For the version history, the audit
 * log and the "publish" confirmation in the console.
 */

export type RuleChangePart = 'priority' | 'conditions' | 'event' | 'phase'

export interface RulesetDiff {
  nameChanged: boolean
  descriptionChanged: boolean
  added: Array<{ phase: 'order' | 'candidate'; rule: string }>
  removed: Array<{ phase: 'order' | 'candidate'; rule: string }>
  changed: Array<{ phase: 'order' | 'candidate'; rule: string; parts: RuleChangePart[] }>
  /** same rules, but listed in another order (matters for ties within a priority) */
  reordered: boolean
  unchanged: number
}

interface IndexedRule {
  phase: 'order' | 'candidate'
  rule: RuleDocument
}

function indexRules(document: RulesetDocument): Map<string, IndexedRule> {
  const rules = new Map<string, IndexedRule>()
  for (const rule of document.orderRules) rules.set(rule.name, { phase: 'order', rule })
  for (const rule of document.candidateRules) rules.set(rule.name, { phase: 'candidate', rule })
  return rules
}

function namesInOrder(document: RulesetDocument): string[] {
  return [...document.orderRules, ...document.candidateRules].map((rule) => rule.name)
}

export function diffRulesets(before: RulesetDocument, after: RulesetDocument): RulesetDiff {
  const previous = indexRules(before)
  const next = indexRules(after)
  const diff: RulesetDiff = {
    nameChanged: before.name !== after.name,
    descriptionChanged: (before.description ?? '') !== (after.description ?? ''),
    added: [],
    removed: [],
    changed: [],
    reordered: false,
    unchanged: 0,
  }

  for (const [name, { phase, rule }] of next) {
    const old = previous.get(name)
    if (!old) {
      diff.added.push({ phase, rule: name })
      continue
    }
    const parts: RuleChangePart[] = []
    if (old.phase !== phase) parts.push('phase')
    if (old.rule.priority !== rule.priority) parts.push('priority')
    if (!isDeepStrictEqual(old.rule.conditions, rule.conditions)) parts.push('conditions')
    if (!isDeepStrictEqual(old.rule.event, rule.event)) parts.push('event')
    if (parts.length > 0) diff.changed.push({ phase, rule: name, parts })
    else diff.unchanged++
  }
  for (const [name, { phase }] of previous) {
    if (!next.has(name)) diff.removed.push({ phase, rule: name })
  }

  const kept = (names: string[], other: Map<string, IndexedRule>) =>
    names.filter((name) => other.has(name))
  diff.reordered = !isDeepStrictEqual(
    kept(namesInOrder(before), next),
    kept(namesInOrder(after), previous)
  )
  return diff
}
