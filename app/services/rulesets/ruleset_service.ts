import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Ruleset, { GLOBAL_SCOPE_KEY, merchantScopeKey } from '#models/ruleset'
import RulesetVersion from '#models/ruleset_version'
import type User from '#models/user'
import ProblemException from '#exceptions/problem'
import type { RulesetDocument } from '#dispatch/types'
import { validateRuleset, type RulesetValidation } from '#dispatch/rules/validator'
import { rulesetVersionKey } from '#dispatch/rules/version_key'
import { loadShippedRuleset } from '#dispatch/rules/shipped_rulesets'
import { diffRulesets, type RulesetDiff } from '#dispatch/rules/ruleset_diff'
import { forgetCompiledRuleset } from '#dispatch/rules/compiled_ruleset_cache'
import { isUniqueViolation } from '#services/idempotency_service'
import { keysetPage, type PageInput } from '#services/keyset_pagination'
import { recordAudit } from '#services/audit_service'
import { invalidField, invalidRuleset } from '#services/rulesets/ruleset_problems'

/*
 * The ruleset lifecycle: a global ruleset and per-merchant overrides, each with a
 * free-form draft and immutable numbered versions, one of which is active.
 *
 * The global ruleset is created on first use (not by a migration or seeder) with
 * the shipped defaults published as version 1, so a fresh database, a
 * `migration:fresh` and a test run all dispatch with the defaults and nobody has
 * to remember a seed step. Two nodes racing to create it are resolved by the
 * unique scope key.
 */

export type VersionRef = number | 'draft' | 'active'

/** Who made a change, for versions (published_by) and drafts (draft_updated_by). */
export interface RulesetActor {
  id: number | null
  label: string
}

export const SYSTEM_ACTOR: RulesetActor = { id: null, label: 'system' }

export function actorOf(user: User | undefined | null): RulesetActor {
  return user ? { id: user.id, label: user.email } : SYSTEM_ACTOR
}

/** The key a compiled version is cached and recorded under: `global@v3`, `merchant:12@v1`. */
export function versionKeyOf(ruleset: Pick<Ruleset, 'scopeKey'>, version: number) {
  return `${ruleset.scopeKey}@v${version}`
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/** SQLite serialises writers by itself and knex only warns about FOR UPDATE there. */
function lockable(trx: TransactionClientContract) {
  return !['sqlite', 'sqlite3', 'better-sqlite3'].includes(trx.dialect.name)
}

async function lockRuleset(trx: TransactionClientContract, id: number) {
  const query = Ruleset.query({ client: trx }).where('id', id)
  if (lockable(trx)) query.forUpdate()
  const ruleset = await query.first()
  if (!ruleset) throw ProblemException.notFound(`Ruleset ${id}`)
  return ruleset
}

/*
 * The global ruleset.
 */

export async function ensureGlobalRuleset(): Promise<Ruleset> {
  const existing = await Ruleset.findBy('scope_key', GLOBAL_SCOPE_KEY)
  if (existing) return existing

  const document = loadShippedRuleset('default')
  let created: { ruleset: Ruleset; version: RulesetVersion }
  try {
    created = await db.transaction(async (trx) => {
      const ruleset = await Ruleset.create(
        {
          scopeKey: GLOBAL_SCOPE_KEY,
          merchantId: null,
          name: 'Global dispatch rules',
          draftDocument: JSON.stringify(document),
          draftUpdatedBy: null,
          draftUpdatedAt: null,
          activeVersionId: null,
        },
        { client: trx }
      )
      const version = await RulesetVersion.create(
        {
          rulesetId: ruleset.id,
          version: 1,
          document,
          contentHash: rulesetVersionKey(document),
          publishedBy: null,
          publishedByLabel: SYSTEM_ACTOR.label,
          publishedAt: DateTime.utc(),
          note: 'Shipped defaults (rules/default.json)',
        },
        { client: trx }
      )
      ruleset.activeVersionId = version.id
      await ruleset.useTransaction(trx).save()
      return { ruleset, version }
    })
  } catch (error) {
    // Another node (or request) created it first: theirs is as good as ours.
    if (isUniqueViolation(error)) return Ruleset.findByOrFail('scope_key', GLOBAL_SCOPE_KEY)
    throw error
  }

  const subject = { type: 'ruleset', id: created.ruleset.id, merchantId: null }
  await recordAudit(null, 'ruleset.create', subject, {
    scope_key: GLOBAL_SCOPE_KEY,
    seeded_from: 'rules/default.json',
  })
  await recordAudit(null, 'ruleset.publish', subject, {
    version: 1,
    content_hash: created.version.contentHash,
    note: created.version.note,
  })
  return created.ruleset
}

/*
 * Reading.
 */

export interface RulesetListFilters extends PageInput {
  merchant_id?: number
  scope?: 'global' | 'merchant'
}

/** `scope` from merchantScope(): null sees every ruleset, a merchant id only its override. */
export async function listRulesets(scope: number | null, filters: RulesetListFilters) {
  if (scope === null) await ensureGlobalRuleset()
  const query = Ruleset.query()
  if (scope !== null) query.where('merchant_id', scope)
  if (filters.merchant_id !== undefined) query.where('merchant_id', filters.merchant_id)
  if (filters.scope === 'global') query.where('scope_key', GLOBAL_SCOPE_KEY)
  if (filters.scope === 'merchant') query.whereNotNull('merchant_id')
  return keysetPage(query, 'ruleset', filters)
}

/** Merchant users only ever find their own override; anything else is a 404. */
export async function findRuleset(scope: number | null, id: number) {
  const query = Ruleset.query().where('id', id)
  if (scope !== null) query.where('merchant_id', scope)
  const ruleset = await query.first()
  if (!ruleset) throw ProblemException.notFound(`Ruleset ${id}`)
  return ruleset
}

/** Version rows by id, for showing which number is active in lists. */
export async function versionsById(ids: Array<number | null>) {
  const wanted = [...new Set(ids.filter((id): id is number => id !== null))]
  if (wanted.length === 0) return new Map<number, RulesetVersion>()
  const rows = await RulesetVersion.query()
    .select('id', 'ruleset_id', 'version', 'content_hash', 'published_at', 'published_by_label')
    .whereIn('id', wanted)
  return new Map(rows.map((row) => [row.id, row]))
}

export async function activeVersionOf(ruleset: Ruleset, client?: TransactionClientContract) {
  if (ruleset.activeVersionId === null) return null
  return RulesetVersion.query({ client }).where('id', ruleset.activeVersionId).first()
}

export function listVersions(ruleset: Ruleset, page: PageInput) {
  const query = RulesetVersion.query()
    .select(
      'id',
      'ruleset_id',
      'version',
      'content_hash',
      'published_by',
      'published_by_label',
      'published_at',
      'note'
    )
    .where('ruleset_id', ruleset.id)
  return keysetPage(query, 'ruleset_version', page)
}

export async function findVersion(ruleset: Ruleset, number: number) {
  const version = await RulesetVersion.query()
    .where('ruleset_id', ruleset.id)
    .where('version', number)
    .first()
  if (!version) throw ProblemException.notFound(`Version ${number} of ruleset ${ruleset.id}`)
  return version
}

export function draftValidation(ruleset: Ruleset): RulesetValidation {
  return validateRuleset(ruleset.draftDocument)
}

/** A document to evaluate or compare, resolved from `draft`, `active` or a version number. */
export interface ResolvedDocument {
  ref: 'draft' | number
  document: RulesetDocument
  /** null for the draft */
  version: RulesetVersion | null
  /** what decisions made on it are labelled with */
  versionKey: string
}

/**
 * `pointer` names the request field that chose the version, so a missing version
 * or an invalid draft is reported against it (`/version`, `/baseline`, `/from`).
 */
export async function resolveDocument(
  ruleset: Ruleset,
  ref: VersionRef,
  pointer = '/version'
): Promise<ResolvedDocument> {
  if (ref === 'draft') {
    const validation = draftValidation(ruleset)
    if (!validation.valid) throw invalidRuleset(validation.errors, 'The draft')
    return {
      ref: 'draft',
      document: validation.document,
      version: null,
      versionKey: `${ruleset.scopeKey}@draft`,
    }
  }

  let version: RulesetVersion | null
  if (ref === 'active') {
    version = await activeVersionOf(ruleset)
    if (!version) {
      throw invalidField(pointer, 'published', 'this ruleset has no published version yet')
    }
  } else {
    version = await RulesetVersion.query()
      .where('ruleset_id', ruleset.id)
      .where('version', ref)
      .first()
    if (!version) {
      throw invalidField(pointer, 'exists', `version ${ref} of this ruleset does not exist`)
    }
  }
  return {
    ref: version.version,
    document: version.document,
    version,
    versionKey: versionKeyOf(ruleset, version.version),
  }
}

export async function diffVersions(ruleset: Ruleset, from: VersionRef, to: VersionRef) {
  const before = await resolveDocument(ruleset, from, '/from')
  const after = await resolveDocument(ruleset, to, '/to')
  return { from: before, to: after, diff: diffRulesets(before.document, after.document) }
}

/*
 * Writing.
 */

export interface OverrideInput {
  merchant_id: number
  name: string
  document?: unknown
}

/**
 * A merchant override replaces the global ruleset for that merchant's orders once
 * its first version is published; until then the merchant keeps the global rules.
 * Without a document the draft starts as a copy of the active global rules.
 */
export async function createOverride(input: OverrideInput, actor: RulesetActor) {
  let draft: unknown = input.document
  if (draft === undefined) {
    const global = await ensureGlobalRuleset()
    const active = await activeVersionOf(global)
    draft = { ...(active?.document ?? loadShippedRuleset('default')) }
    ;(draft as RulesetDocument).name = `merchant-${input.merchant_id}`
  } else if (!isPlainObject(draft)) {
    throw invalidField('/document', 'object', 'must be a JSON object (a ruleset document)')
  }

  try {
    const ruleset = await Ruleset.create({
      scopeKey: merchantScopeKey(input.merchant_id),
      merchantId: input.merchant_id,
      name: input.name,
      draftDocument: JSON.stringify(draft),
      draftUpdatedBy: actor.id,
      draftUpdatedAt: DateTime.utc(),
      activeVersionId: null,
    })
    return { ruleset, validation: draftValidation(ruleset) }
  } catch (error) {
    if (!isUniqueViolation(error)) throw error
    const existing = await Ruleset.findBy('scope_key', merchantScopeKey(input.merchant_id))
    throw new ProblemException({
      status: 409,
      slug: 'duplicate-ruleset',
      title: 'Conflict',
      detail: `Merchant ${input.merchant_id} already has an override${existing ? ` (ruleset ${existing.id})` : ''}; edit its draft instead`,
      errors: [{ pointer: '/merchant_id', rule: 'unique', message: 'already has an override' }],
    })
  }
}

/**
 * Saves any JSON object as the draft, valid or not, so an admin can keep work in
 * progress; the validation result travels with the answer and publish refuses an
 * invalid draft. Returns the old and new content hashes for the audit log.
 */
export async function saveDraft(
  ruleset: Ruleset,
  document: Record<string, unknown>,
  actor: RulesetActor
) {
  const before = rulesetVersionKey(ruleset.draft)
  ruleset.merge({
    draftDocument: JSON.stringify(document),
    draftUpdatedBy: actor.id,
    draftUpdatedAt: DateTime.utc(),
  })
  await ruleset.save()
  const validation = draftValidation(ruleset)
  return { ruleset, validation, hashBefore: before, hashAfter: rulesetVersionKey(document) }
}

/**
 * Publishes the draft as the next version and makes it active. The version
 * number comes from the locked ruleset row (MySQL) or SQLite's single writer; the
 * unique (ruleset_id, version) index is the last line against a double publish.
 * Publishing content identical to an earlier version still makes a new version:
 * versions are a history of decisions to publish, not of distinct contents.
 */
export async function publishDraft(ruleset: Ruleset, note: string | null, actor: RulesetActor) {
  let result: {
    ruleset: Ruleset
    version: RulesetVersion
    previous: RulesetVersion | null
    diff: RulesetDiff | null
  }
  try {
    result = await db.transaction(async (trx) => {
      const locked = await lockRuleset(trx, ruleset.id)
      const validation = draftValidation(locked)
      if (!validation.valid) throw invalidRuleset(validation.errors, 'The draft')

      const previous = await activeVersionOf(locked, trx)
      const [{ $extras: latest }] = await RulesetVersion.query({ client: trx })
        .where('ruleset_id', locked.id)
        .max('version as latest')
      const number = Number(latest.latest ?? 0) + 1
      const version = await RulesetVersion.create(
        {
          rulesetId: locked.id,
          version: number,
          document: validation.document,
          contentHash: rulesetVersionKey(validation.document),
          publishedBy: actor.id,
          publishedByLabel: actor.label,
          publishedAt: DateTime.utc(),
          note,
        },
        { client: trx }
      )
      locked.activeVersionId = version.id
      await locked.useTransaction(trx).save()
      const diff = previous ? diffRulesets(previous.document, validation.document) : null
      return { ruleset: locked, version, previous, diff }
    })
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw ProblemException.conflict(
        'Another publish of this ruleset finished first; reload and publish again',
        'publish-conflict'
      )
    }
    throw error
  }
  // A key like `merchant:3@v1` is unique within one database; forgetting it keeps
  // a process that outlived its database (tests, a restored backup) from serving a
  // stale compilation.
  forgetCompiledRuleset(versionKeyOf(result.ruleset, result.version.version))
  return result
}

/**
 * Makes an earlier (or, after a rollback, a later) version active again. The
 * draft is left alone: rolling back is about what dispatches, not what is being
 * edited.
 */
export async function rollbackTo(ruleset: Ruleset, number: number) {
  return db.transaction(async (trx) => {
    const locked = await lockRuleset(trx, ruleset.id)
    const target = await RulesetVersion.query({ client: trx })
      .where('ruleset_id', locked.id)
      .where('version', number)
      .first()
    if (!target) {
      throw invalidField('/version', 'exists', `version ${number} of this ruleset does not exist`)
    }
    const previous = await activeVersionOf(locked, trx)
    if (previous?.id === target.id) {
      throw ProblemException.conflict(`Version ${number} is already active`, 'already-active')
    }
    locked.activeVersionId = target.id
    await locked.useTransaction(trx).save()
    return { ruleset: locked, version: target, previous }
  })
}
