/**
 * Secret redaction. Every message, URL and body the library produces passes through here, so an API
 * key never reaches a log line, an error report or an `Error.message` that a user forwards to a tracker.
 */

/** What a redacted value is replaced with. */
export const REDACTED = '[redacted]'

/** Query parameters whose values are secrets (compared case-insensitively, `-`/`_` ignored). */
const SECRET_PARAMS = new Set([
  'apikey',
  'token',
  'accesstoken',
  'authorization',
  'auth',
  'secret',
  'password',
  'key',
])

/** Headers whose values are secrets. */
const SECRET_HEADERS = new Set([
  'authorization',
  'x-api-key',
  'proxy-authorization',
  'cookie',
  'x-auth-token',
])

const normaliseParam = (name: string) => name.toLowerCase().replace(/[-_]/g, '')

/** Is this query parameter name one whose value must never be shown? */
export const isSecretParam = (name: string): boolean => SECRET_PARAMS.has(normaliseParam(name))

/** Is this header name one whose value must never be shown? */
export const isSecretHeader = (name: string): boolean => SECRET_HEADERS.has(name.toLowerCase())

// `api_key=…`, `apiKey=…`, `token=…` inside any text (URLs embedded in messages, echoed request lines).
const QUERY_SECRET_RE =
  /([?&;\s"'](?:api[-_]?key|apikey|token|access[-_]?token|auth|secret|password|key)=)([^&#\s"']+)/gi
// A value the registry already scrubbed, followed only by the text's punctuation (`…?api_key=[redacted]).`).
const ALREADY_REDACTED_RE = /^\[redacted\][)\].,;:]*$/

/**
 * A secret parameter's value: replaced whole (an unknown secret may contain any character), unless the
 * registry already replaced the key in it — then what follows is the surrounding text's punctuation.
 */
function redactQueryValue(_match: string, name: string, value: string): string {
  return ALREADY_REDACTED_RE.test(value) ? `${name}${value}` : `${name}${REDACTED}`
}

// `Authorization: Bearer …`, `X-API-Key: …` as they appear in dumped headers.
const HEADER_SECRET_RE =
  /((?:authorization|x-api-key|proxy-authorization)["']?\s*[:=]\s*["']?)(?:bearer\s+|basic\s+)?([^\s"',}]+)/gi
// `https://user:pass@host`
const USERINFO_RE = /(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)([^@\s/]+)(@)/gi

// Known secrets are shared through a global symbol so two copies of the package (a common result of
// nested installs) still scrub each other's keys.
const REGISTRY_KEY = Symbol.for('chainstream.secrets')
type SecretRegistry = { secrets: Set<string>; ordered?: string[] }
const registry: SecretRegistry = (() => {
  const g = globalThis as unknown as Record<symbol, SecretRegistry | undefined>
  const existing = g[REGISTRY_KEY]
  if (existing) return existing
  const created: SecretRegistry = { secrets: new Set() }
  g[REGISTRY_KEY] = created
  return created
})()

/**
 * Registers a secret (an API key) so that it is scrubbed from every message the library produces,
 * wherever it appears — also inside a server's echoed response body. Providers call this for each key
 * they are given. Every configured value counts, however short: a short key is still a key, and a message
 * with a few characters scrubbed too many is a better failure than a leaked credential. Longer secrets are
 * scrubbed first, so one that contains another is removed whole.
 */
export function registerSecret(secret: string | undefined): void {
  if (!secret || registry.secrets.has(secret)) return
  registry.secrets.add(secret)
  registry.ordered = [...registry.secrets].sort((a, b) => b.length - a.length)
}

/** Removes every known secret and every secret-looking parameter or header value from `text`. */
export function redactText(text: string): string {
  let out = text
  if (registry.secrets.size > 0) {
    // A registry shared with an older copy of this package may lack `ordered`.
    for (const secret of registry.ordered ?? registry.secrets) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED)
    }
  }
  return out
    .replace(QUERY_SECRET_RE, redactQueryValue)
    .replace(HEADER_SECRET_RE, `$1${REDACTED}`)
    .replace(USERINFO_RE, `$1${REDACTED}$3`)
}

/** Returns the URL as a string with secret query values and any password replaced. */
export function redactUrl(url: string | URL): string {
  let parsed: URL
  try {
    parsed = typeof url === 'string' ? new URL(url) : new URL(url.href)
  } catch {
    return redactText(String(url))
  }
  if (parsed.password) parsed.password = REDACTED
  for (const name of [...parsed.searchParams.keys()]) {
    if (isSecretParam(name)) parsed.searchParams.set(name, REDACTED)
  }
  // URLSearchParams encodes the brackets; keep the marker readable.
  return redactText(parsed.href.replaceAll(encodeURIComponent(REDACTED), REDACTED))
}

/** Returns a copy of the headers with secret values replaced, for logging and error reports. */
export function redactHeaders(headers: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    out[name] = isSecretHeader(name) ? REDACTED : redactText(value)
  }
  return out
}

/** Deeply redacts strings inside a JSON-like value (a parsed error body, say). */
export function redactValue<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return redactText(value) as T
  if (depth > 8 || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1)) as T
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = isSecretParam(k) || isSecretHeader(k) ? REDACTED : redactValue(v, depth + 1)
  }
  return out as T
}
