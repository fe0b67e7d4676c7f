import { createHash, randomBytes } from 'node:crypto'
import { DateTime } from 'luxon'
import ApiKey from '#models/api_key'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'

const KEY_PREFIX = 'chk_'
const PREFIX_VISIBLE_CHARS = 12
/** Writing last_used_at on every request would double intake writes; a minute is precise enough. */
const LAST_USED_PRECISION_MS = 60_000

export function hashApiKey(secret: string) {
  return createHash('sha256').update(secret).digest('hex')
}

/**
 * API keys are 32 random bytes, so a fast SHA-256 digest is enough at rest (there
 * is nothing to brute-force); the visible prefix helps people recognise a key.
 */
export async function issueApiKey(
  merchantId: number,
  name: string,
  createdByUserId: number | null = null,
  client?: TransactionClientContract
) {
  const secret = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`
  const apiKey = await ApiKey.create(
    {
      merchantId,
      name,
      prefix: secret.slice(0, PREFIX_VISIBLE_CHARS),
      secretHash: hashApiKey(secret),
      createdByUserId,
    },
    { client }
  )
  return { apiKey, secret }
}

export async function findActiveApiKey(secret: string): Promise<ApiKey | null> {
  if (!secret.startsWith(KEY_PREFIX) || secret.length > 128) return null
  const apiKey = await ApiKey.findBy('secretHash', hashApiKey(secret))
  if (!apiKey || apiKey.revokedAt) return null
  return apiKey
}

export async function touchApiKey(apiKey: ApiKey) {
  const now = DateTime.utc()
  if (apiKey.lastUsedAt && now.toMillis() - apiKey.lastUsedAt.toMillis() < LAST_USED_PRECISION_MS)
    return
  await ApiKey.query()
    .where('id', apiKey.id)
    .update({ last_used_at: now.toSQL({ includeOffset: false }) })
}

export async function revokeApiKey(apiKey: ApiKey) {
  if (apiKey.revokedAt) return apiKey
  apiKey.revokedAt = DateTime.utc()
  await apiKey.save()
  return apiKey
}
