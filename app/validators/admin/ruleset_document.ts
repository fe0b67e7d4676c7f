import type { HttpRequest } from '@adonisjs/core/http'
import ProblemException from '#exceptions/problem'
import { invalidRuleset } from '#services/rulesets/ruleset_problems'

/*
 * The body of `PUT /rulesets/:id/draft` and `POST /rulesets/:id/validate` is the
 * ruleset document itself, sent either as `application/json` or, from a JSON
 * editor, as the text the admin typed (`text/plain`). Text is parsed here so a
 * syntax error comes back as a pointed `json` error like every other rule error
 * (a malformed `application/json` body is the body parser's 400 `malformed-json`).
 */

/** 500 + 500 rules of generous size; the text/plain parser stops at 1 MB as well. */
export const MAX_DOCUMENT_BYTES = 1024 * 1024

export type DocumentBody =
  { kind: 'value'; value: unknown } | { kind: 'text'; text: string } | { kind: 'empty' }

function hasBody(request: HttpRequest) {
  const length = Number(request.header('content-length') ?? 0)
  return length > 0 || request.header('transfer-encoding') !== undefined
}

function tooLarge(size: number) {
  return new ProblemException({
    status: 413,
    slug: 'body-too-large',
    title: 'Request body too large',
    detail: `A ruleset document may be at most ${MAX_DOCUMENT_BYTES} bytes (got ${size})`,
    errors: [
      { pointer: '', rule: 'maxBytes', message: `must be at most ${MAX_DOCUMENT_BYTES} bytes` },
    ],
  })
}

export function readDocumentBody(request: HttpRequest): DocumentBody {
  if (!hasBody(request)) return { kind: 'empty' }
  const raw = request.raw() ?? ''
  const size = Buffer.byteLength(raw)
  if (size > MAX_DOCUMENT_BYTES) throw tooLarge(size)

  if (request.bodyType === 'json') return { kind: 'value', value: JSON.parse(raw) }
  if (request.bodyType === 'raw' && request.is(['text/*'])) return { kind: 'text', text: raw }
  throw new ProblemException({
    status: 415,
    slug: 'unsupported-media-type',
    title: 'Unsupported media type',
    detail: `Send the ruleset as application/json, or as text/plain JSON text (got ${request.header('content-type') ?? 'no content type'})`,
    errors: [
      { pointer: '', rule: 'contentType', message: 'must be application/json or text/plain' },
    ],
  })
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/**
 * A draft must at least be a JSON object, so it can be edited and validated
 * later; anything beyond that is reported by validation, not refused.
 */
export function readDraftDocument(request: HttpRequest): Record<string, unknown> {
  const body = readDocumentBody(request)
  let value: unknown
  if (body.kind === 'empty') {
    throw invalidRuleset([
      { pointer: '', rule: 'required', message: 'send the ruleset document as the request body' },
    ])
  } else if (body.kind === 'text') {
    try {
      value = JSON.parse(body.text)
    } catch (error) {
      throw invalidRuleset([
        { pointer: '', rule: 'json', message: `not valid JSON: ${(error as Error).message}` },
      ])
    }
  } else {
    value = body.value
  }
  if (!isPlainObject(value)) {
    throw invalidRuleset([
      { pointer: '', rule: 'schema', message: 'a ruleset document must be a JSON object' },
    ])
  }
  return value
}
