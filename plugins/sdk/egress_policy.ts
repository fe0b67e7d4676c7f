/**
 * The manifest's `egress` list as a matcher. Entries are host names (`api.example.com`),
 * sub-domain wildcards (`*.example.com`, which does not match `example.com` itself) and
 * optional ports (`127.0.0.1:4010`). Only http and https URLs pass.
 */

interface EgressRule {
  /** Lower-cased host, without the `*.` prefix. */
  host: string
  wildcard: boolean
  port: string | null
}

function parseRule(entry: string): EgressRule {
  const lowered = entry.trim().toLowerCase()
  const wildcard = lowered.startsWith('*.')
  const withoutWildcard = wildcard ? lowered.slice(2) : lowered
  const portMatch = /^(.*):(\d{1,5})$/.exec(withoutWildcard)
  return {
    host: portMatch ? portMatch[1] : withoutWildcard,
    wildcard,
    port: portMatch ? portMatch[2] : null,
  }
}

function defaultPort(protocol: string): string {
  return protocol === 'https:' ? '443' : '80'
}

export type EgressDecision = { allowed: true } | { allowed: false; reason: string }

export class EgressPolicy {
  readonly #rules: EgressRule[]
  readonly #entries: string[]

  constructor(entries: readonly string[]) {
    this.#entries = [...entries]
    this.#rules = entries.map(parseRule)
  }

  check(rawUrl: string): EgressDecision {
    let url: URL
    try {
      url = new URL(rawUrl)
    } catch {
      return { allowed: false, reason: `"${rawUrl}" is not an absolute URL` }
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      return {
        allowed: false,
        reason: `protocol ${url.protocol} is not allowed (http and https only)`,
      }
    }
    if (url.username || url.password) {
      return {
        allowed: false,
        reason: 'credentials in the URL are not allowed; send them in headers',
      }
    }
    const host = url.hostname.toLowerCase()
    const port = url.port || defaultPort(url.protocol)
    const matched = this.#rules.some((rule) => {
      const hostMatches = rule.wildcard ? host.endsWith(`.${rule.host}`) : host === rule.host
      return hostMatches && (rule.port === null || rule.port === port)
    })
    if (matched) return { allowed: true }
    const listed = this.#entries.length > 0 ? this.#entries.join(', ') : 'nothing'
    return {
      allowed: false,
      reason: `host "${url.host}" is not in the plugin's egress list (allowed: ${listed})`,
    }
  }
}
