/** The environment variables the CLI reads keys from; keys are never taken from flags (shell history). */
export const KEY_VARIABLES = {
  toncenter: 'TONCENTER_API_KEY',
  tonapi: 'TONAPI_API_KEY',
  venum: 'VENUM_API_KEY',
} as const

/** A service whose key the CLI reads. */
export type KeyedService = keyof typeof KEY_VARIABLES

/** The key of `service` from `env`, or `undefined` when unset or blank. */
export function apiKeyOf(env: Readonly<Record<string, string | undefined>>, service: KeyedService) {
  const value = env[KEY_VARIABLES[service]]?.trim()
  return value === undefined || value === '' ? undefined : value
}

// Shorter values are too likely to occur in ordinary output for a replacement to be safe; real keys are
// far longer.
const MIN_REDACTED_LENGTH = 8

/**
 * Every key set in `env` that is long enough to be recognised, longest first. The CLI's writers replace
 * them: the providers already keep keys out of their messages, and this makes sure that nothing the CLI
 * prints (an error's text, a URL) can echo one.
 */
export function secretsIn(env: Readonly<Record<string, string | undefined>>): string[] {
  const keys = Object.keys(KEY_VARIABLES).map((service) => apiKeyOf(env, service as KeyedService))
  return keys
    .filter((key): key is string => key !== undefined && key.length >= MIN_REDACTED_LENGTH)
    .sort((a, b) => b.length - a.length)
}

/** `text` with every secret replaced by `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of secrets) out = out.split(secret).join('***')
  return out
}
