import { abortError, ChainstreamError, isChainstreamError } from '../errors/chainstream-error.js'
import { httpError, parseBody, parseRetryAfter } from '../errors/http-error.js'
import { redactUrl } from '../errors/redact.js'
import { backoffDelay, type ReconnectPolicy, resolveReconnectPolicy } from '../reconnect/backoff.js'
import * as runtime from '../runtime/runtime.js'
import type { FetchLike } from '../sse/sse-transport-types.js'
import { sleep } from '../util/abort.js'
import { fetchText, type HttpTextRequest } from './fetch-text.js'

/** A query value: repeated parameters are arrays (`account=a&account=b`). */
export type QueryValue = string | number | boolean | undefined | readonly (string | number)[]

/** Options of {@link requestJson}. */
export interface RequestJsonOptions {
  method?: 'GET' | 'POST'
  /** Query parameters appended to the URL; `undefined` values are skipped. */
  query?: Record<string, QueryValue>
  headers?: Record<string, string>
  /** A JSON body (POST). */
  body?: unknown
  signal?: AbortSignal
  /** One attempt may take this long before it fails with `RequestTimeout`. @default 15_000 */
  timeoutMs?: number
  /**
   * Retries of retryable failures (HTTP 429/502/503/504 and 5xx, dropped connections, time-outs) with
   * jittered backoff that honours `Retry-After`. `false` makes one attempt only.
   * @default { maxAttempts: 3, initialDelayMs: 250, maxDelayMs: 5_000 }
   */
  retry?: Partial<ReconnectPolicy> | false
  /** Statuses never retried whatever their class (e.g. a provider's `404` meaning "not found"). */
  noRetryStatuses?: readonly number[]
  /** Use this `fetch` instead of the runtime's client (undici's `request` on Node, the global `fetch` elsewhere). */
  fetch?: FetchLike
  /** Random source for the jitter. */
  random?: () => number
}

/** A successful JSON response. */
export interface JsonResponse<T> {
  status: number
  data: T
  /** A response header by name (case-insensitive); undefined when absent. */
  header(name: string): string | undefined
}

const RETRY_DEFAULTS: Partial<ReconnectPolicy> = { maxAttempts: 3, initialDelayMs: 250, maxDelayMs: 5_000 }
let resolvedDefaults: ReconnectPolicy | undefined
/** The policy of a request that sets none: resolved once (requests are many; snapshots run per signature). */
const defaultRetry = (): ReconnectPolicy => {
  resolvedDefaults ??= Object.freeze(resolveReconnectPolicy(RETRY_DEFAULTS))
  return resolvedDefaults
}

/** Builds `base` + `query` into a URL string. */
export function buildUrl(base: string, query?: Record<string, QueryValue>): string {
  const url = new URL(base)
  if (query) {
    for (const [name, value] of Object.entries(query)) {
      if (value === undefined) continue
      if (Array.isArray(value)) for (const item of value) url.searchParams.append(name, String(item))
      else url.searchParams.append(name, String(value))
    }
  }
  return url.href
}

/**
 * A JSON request with typed errors: non-2xx answers become {@link ChainstreamError}s carrying the status,
 * the parsed body and `Retry-After`; retryable failures are retried with jittered backoff. URLs in errors
 * are redacted. Used for snapshots and backfill (REST status endpoints, indexer APIs).
 */
export async function requestJson<T = unknown>(
  url: string,
  options: RequestJsonOptions = {},
): Promise<JsonResponse<T>> {
  const target = buildUrl(url, options.query)
  const policy =
    options.retry === false
      ? undefined
      : options.retry === undefined
        ? defaultRetry()
        : resolveReconnectPolicy({ ...RETRY_DEFAULTS, ...options.retry })
  const noRetry = new Set(options.noRetryStatuses ?? [])
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw abortError(options.signal, `the request to ${redactUrl(target)}`)
    try {
      return await attemptOnce<T>(target, options)
    } catch (caught) {
      const error = isChainstreamError(caught)
        ? caught
        : new ChainstreamError(
            'ConnectionClosed',
            `Request to ${redactUrl(target)} failed: ${String(caught)}`,
            {
              cause: caught,
            },
          )
      const retryable =
        error.isRetryable &&
        !(error.status !== undefined && noRetry.has(error.status)) &&
        error.code !== 'Aborted'
      if (!policy || !retryable || attempt > policy.maxAttempts) throw error
      await sleep(backoffDelay(policy, attempt, error.retryAfterMs, options.random), options.signal)
    }
  }
}

async function attemptOnce<T>(target: string, options: RequestJsonOptions): Promise<JsonResponse<T>> {
  const timeoutMs = options.timeoutMs ?? 15_000
  const controller = new AbortController()
  const onAbort = () => controller.abort(options.signal?.reason)
  options.signal?.addEventListener('abort', onAbort, { once: true })
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort()
  }, timeoutMs)
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
  let body: string | undefined
  if (options.body !== undefined) {
    body = JSON.stringify(options.body)
    headers['content-type'] = 'application/json'
  }
  const method = options.method ?? (body === undefined ? 'GET' : 'POST')
  try {
    const init: HttpTextRequest = {
      method,
      headers,
      signal: controller.signal,
      ...(body !== undefined ? { body } : {}),
    }
    const {
      status,
      text,
      header: getHeader,
    } = options.fetch ? await fetchText(options.fetch, target, init) : await runtime.requestText(target, init)
    const parsed = parseBody(text, getHeader('content-type'))
    if (status < 200 || status > 299) {
      throw httpError({
        status,
        body: parsed,
        retryAfterMs: parseRetryAfter(getHeader('retry-after')),
        url: redactUrl(target),
      })
    }
    if (typeof parsed === 'string') {
      throw new ChainstreamError(
        'ProtocolError',
        `Expected JSON from ${redactUrl(target)}, got: ${parsed.slice(0, 120)}`,
        {
          status,
        },
      )
    }
    return { status, data: parsed as T, header: getHeader }
  } catch (error) {
    if (isChainstreamError(error)) throw error
    if (options.signal?.aborted) throw abortError(options.signal, `the request to ${redactUrl(target)}`)
    if (timedOut) {
      throw new ChainstreamError(
        'RequestTimeout',
        `No answer from ${redactUrl(target)} within ${timeoutMs} ms`,
        {
          cause: error,
          isRetryable: true,
        },
      )
    }
    throw new ChainstreamError(
      'ConnectionClosed',
      `Request to ${redactUrl(target)} failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    )
  } finally {
    clearTimeout(timer)
    options.signal?.removeEventListener('abort', onAbort)
  }
}
