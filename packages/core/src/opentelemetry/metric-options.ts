import type { Attributes, Meter } from '@opentelemetry/api'
import { ChainstreamError } from '../errors/chainstream-error.js'

/** What every instrumentation is given. */
export interface MetricsOptions {
  /**
   * Where the instruments are created: `metrics.getMeter('my-service')` of `@opentelemetry/api`, or a
   * `MeterProvider`'s meter from the OpenTelemetry SDK.
   */
  meter: Meter
  /**
   * A short, fixed name for what is instrumented (`'wallet-activity'`, `'payments'`): the series of two
   * instrumented things with the same name and attributes are added together. Never an address, a
   * signature or a trace hash. @default 'default'
   */
  name?: string
  /**
   * More attributes on every series, e.g. `{ 'deployment.environment': 'prod' }`. Keep them few and
   * fixed: each distinct value is a series of its own.
   */
  attributes?: Readonly<Record<string, string | number | boolean>>
}

/**
 * The longest attribute value accepted. TON addresses (48 or 66 characters), trace hashes (44 or 64) and
 * Solana signatures (87 or 88) are all longer; a label that long is almost always one of them by mistake,
 * and would turn every transaction into a series of its own.
 */
export const MAX_ATTRIBUTE_LENGTH = 40

/** The options checked, and the attributes every series of this instrumentation carries. */
export function checkMetricsOptions(
  options: MetricsOptions,
  caller: string,
  nameKey: string,
  more: Readonly<Record<string, { what: string; value: unknown }>> = {},
): { meter: Meter; attributes: Attributes } {
  const meter = options?.meter
  if (
    !meter ||
    typeof meter.createCounter !== 'function' ||
    typeof meter.createHistogram !== 'function' ||
    typeof meter.addBatchObservableCallback !== 'function'
  ) {
    throw new ChainstreamError(
      'InvalidArgument',
      `${caller} needs { meter }: an OpenTelemetry Meter, e.g. metrics.getMeter('my-service') from @opentelemetry/api`,
    )
  }
  const attributes: Attributes = {}
  for (const [key, value] of Object.entries(options.attributes ?? {})) {
    attributes[key] = checkValue(caller, `attributes['${key}']`, value)
  }
  attributes[nameKey] = checkValue(caller, 'name', options.name ?? 'default')
  for (const [key, { what, value }] of Object.entries(more)) {
    if (value !== undefined) attributes[key] = checkValue(caller, what, value)
  }
  return { meter, attributes }
}

function checkValue(caller: string, what: string, value: unknown): string | number | boolean {
  if (typeof value === 'number' || typeof value === 'boolean') return value
  if (typeof value !== 'string' || value.length === 0) {
    throw new ChainstreamError(
      'InvalidArgument',
      `${caller}: ${what} must be a non-empty string, a number or a boolean, got ${typeof value}`,
    )
  }
  if (value.length > MAX_ATTRIBUTE_LENGTH) {
    // The value itself is not echoed: it may be an address or a signature the caller did not mean to log.
    throw new ChainstreamError(
      'InvalidArgument',
      `${caller}: ${what} is ${value.length} characters long (at most ${MAX_ATTRIBUTE_LENGTH}); metric attributes must be short fixed names, never addresses, signatures or trace hashes, which would make a series per transaction`,
    )
  }
  return value
}

/** A stable key of an attribute set (the order of keys does not matter). */
export function attributesKey(attributes: Attributes): string {
  return JSON.stringify(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

/** What an instrumentation returns. */
export interface Instrumentation {
  /**
   * Stops recording. The totals recorded so far stay in the meter's series (counters never go back);
   * the stream's or tracker's own listeners are removed. Idempotent.
   */
  dispose(): void
}
