import { DateTime } from 'luxon'
import string from '@adonisjs/core/helpers/string'
import type { LucidRow } from '@adonisjs/lucid/types/model'

export type ChangeSet = Record<string, { from: unknown; to: unknown } | true>

function plain(value: unknown) {
  return value instanceof DateTime ? value.toISO() : (value ?? null)
}

/**
 * What saving `model` is about to change, as `{ column: { from, to } }` for the
 * audit log. Call it after `merge()` and before `save()`. Secret columns only say
 * that they changed (`password: true`), never their values, hashed or not.
 */
export function pendingChanges(model: LucidRow, secretColumns: string[] = []): ChangeSet {
  const changes: ChangeSet = {}
  for (const [key, to] of Object.entries(model.$dirty)) {
    const column = string.snakeCase(key)
    changes[column] = secretColumns.includes(key)
      ? true
      : { from: plain(model.$original[key]), to: plain(to) }
  }
  return changes
}

export function hasChanges(changes: ChangeSet) {
  return Object.keys(changes).length > 0
}
