/**
 * Optional metrics: streams and trackers recorded on an OpenTelemetry meter. A subpath of its own so
 * that the main entry never names `@opentelemetry/api`; this one needs it only for its types (the meter
 * is the caller's), so the optional peer dependency costs nothing at run time.
 *
 * @module @chainstream/core/opentelemetry
 */

export { METRIC_ATTRIBUTES, METRIC_NAMES, type MetricName } from './opentelemetry/metric-names.js'
export {
  type Instrumentation,
  MAX_ATTRIBUTE_LENGTH,
  type MetricsOptions,
} from './opentelemetry/metric-options.js'
export {
  instrumentStream,
  type MeteredStream,
  type StreamMetricsOptions,
} from './opentelemetry/stream-metrics.js'
export {
  instrumentTracker,
  type MeteredTracker,
  type TrackerMetricsOptions,
} from './opentelemetry/tracker-metrics.js'
