import { type Check, finiteNumber, integer, optional, optionsObject, parseOptions } from '../util/options.js'

/**
 * How a stream reconnects. Delays are capped exponential with **full jitter**: attempt `n` waits a uniformly
 * random time in `[0, min(maxDelayMs, initialDelayMs × factorⁿ⁻¹)]`, so a fleet of clients that lost the same
 * server does not come back in lockstep. A server's `Retry-After` is a floor the delay never goes under, up
 * to `maxRetryAfterMs`: a longer one is waited for that long (never "at once").
 */
export interface ReconnectPolicy {
  /** Attempts after which the stream gives up with `ConnectionLost`. `Infinity` never gives up. @default Infinity */
  maxAttempts: number
  /** Upper bound of the first delay. @default 500 */
  initialDelayMs: number
  /** Cap of the delay's upper bound. @default 30_000 */
  maxDelayMs: number
  /** Growth of the upper bound per attempt. @default 2 */
  factor: number
  /**
   * A connection that stayed subscribed this long counts as healthy: the attempt counter starts again
   * from zero when it drops. This — not the arrival of an event — is what resets it, so a quiet feed that
   * flaps cannot exhaust `maxAttempts`. @default 10_000
   */
  healthyAfterMs: number
  /**
   * The longest `Retry-After` honoured: a server asking for more is waited for this long and then tried
   * again. Keeps an absurd value (`Retry-After: 1000000000`) from overflowing the timer into a hot loop.
   * @default 600_000 (10 minutes)
   */
  maxRetryAfterMs: number
}

/** The defaults of {@link ReconnectPolicy}. */
export const DEFAULT_RECONNECT_POLICY: Readonly<ReconnectPolicy> = Object.freeze({
  maxAttempts: Number.POSITIVE_INFINITY,
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  factor: 2,
  healthyAfterMs: 10_000,
  maxRetryAfterMs: 600_000,
})

/** The longest delay a Node or browser timer can hold (2³¹−1 ms); longer ones fire at once. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647

const atLeast = (min: number, max?: number) => optional(finiteNumber(min, max))
/** A whole number of attempts, or `Infinity` (never give up). */
const attempts =
  (count: Check<number>): Check<number> =>
  (value, path, issues) =>
    value === Number.POSITIVE_INFINITY ? value : count(value, path, issues)

// Made on first use rather than at module level: a bundler cannot tell that building the checks has no
// side effects, and an app that only reads DEFAULT_RECONNECT_POLICY (the main entry) would otherwise carry
// them. Kept once made: a policy is resolved per stream and per REST request.
const buildPolicySchema = () =>
  optionsObject({
    maxAttempts: optional(attempts(integer(0))),
    initialDelayMs: atLeast(0),
    maxDelayMs: atLeast(0),
    factor: atLeast(1),
    healthyAfterMs: atLeast(0),
    maxRetryAfterMs: atLeast(0, MAX_TIMER_DELAY_MS),
  })

let builtPolicySchema: ReturnType<typeof buildPolicySchema> | undefined
const policySchema = () => {
  builtPolicySchema ??= buildPolicySchema()
  return builtPolicySchema
}

/** Validates a partial policy and fills in the defaults; throws `InvalidArgument` naming the bad field. */
export function resolveReconnectPolicy(input: Partial<ReconnectPolicy> | undefined): ReconnectPolicy {
  const parsed = parseOptions(policySchema(), input ?? {}, 'reconnect policy')
  const policy: ReconnectPolicy = { ...DEFAULT_RECONNECT_POLICY }
  for (const [key, value] of Object.entries(parsed)) {
    if (value !== undefined) (policy as unknown as Record<string, number>)[key] = value
  }
  if (policy.maxDelayMs < policy.initialDelayMs) policy.maxDelayMs = policy.initialDelayMs
  return policy
}

/** The upper bound of the jitter window for `attempt` (1-based). */
export function backoffCeiling(policy: ReconnectPolicy, attempt: number): number {
  const exp = policy.initialDelayMs * policy.factor ** Math.max(0, attempt - 1)
  return Math.min(policy.maxDelayMs, Number.isFinite(exp) ? exp : policy.maxDelayMs)
}

/**
 * The delay before reconnect attempt `attempt` (1-based): full jitter under {@link backoffCeiling}, never
 * less than the server's `Retry-After` (itself capped at `maxRetryAfterMs`).
 */
export function backoffDelay(
  policy: ReconnectPolicy,
  attempt: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const jittered = Math.floor(random() * backoffCeiling(policy, attempt))
  if (retryAfterMs === undefined || !(retryAfterMs > jittered)) return jittered
  // `NaN`/`Infinity`/absurd values: the server wants a long pause — the cap, never a hot loop.
  const cap = Math.min(policy.maxRetryAfterMs ?? DEFAULT_RECONNECT_POLICY.maxRetryAfterMs, MAX_TIMER_DELAY_MS)
  return Number.isFinite(retryAfterMs) ? Math.min(retryAfterMs, cap) : cap
}
