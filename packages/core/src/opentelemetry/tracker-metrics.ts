import type { Attributes, Counter, Histogram, Meter, ObservableUpDownCounter } from '@opentelemetry/api'
import { ChainstreamError } from '../errors/chainstream-error.js'
import type { LifecycleUpdate } from '../finality/lifecycle-update.js'
import { FINALITY_TIERS } from '../finality/tiers.js'
import type { Tracker } from '../tracker/tracker-types.js'
import { METRIC_ATTRIBUTES, METRIC_NAMES } from './metric-names.js'
import {
  attributesKey,
  checkMetricsOptions,
  type Instrumentation,
  type MetricsOptions,
} from './metric-options.js'

/** What {@link instrumentTracker} needs of a tracker: its live-track count and its events. */
export type MeteredTracker = Pick<Tracker, 'size' | 'on'>

/** Options of {@link instrumentTracker}. */
export type TrackerMetricsOptions = MetricsOptions

/** The trackers sharing one attribute set. */
interface Group {
  readonly attributes: Attributes
  readonly trackers: Set<MeteredTracker>
}

/** The instruments of one meter, created once and shared by every tracker instrumented on it. */
class TrackerMeters {
  readonly groups = new Map<string, Group>()
  readonly updates: Counter
  readonly terminals: Counter
  readonly reached: Counter
  readonly errors: Counter
  readonly tierDuration: Histogram
  readonly settleDuration: Histogram
  private readonly active: ObservableUpDownCounter

  constructor(meter: Meter) {
    this.updates = meter.createCounter(METRIC_NAMES.trackerUpdates, {
      description: 'Lifecycle updates, by chain and by where the observation came from',
      unit: '{update}',
    })
    this.terminals = meter.createCounter(METRIC_NAMES.trackerTerminals, {
      description: 'Tracks that ended with a terminal, by chain, terminal kind and outcome',
      unit: '{track}',
    })
    this.reached = meter.createCounter(METRIC_NAMES.trackerTargetsReached, {
      description: 'Tracks whose watch reached its target tier',
      unit: '{track}',
    })
    this.errors = meter.createCounter(METRIC_NAMES.trackerErrors, {
      description: "Problems of a provider's watch",
      unit: '{error}',
    })
    const buckets = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300]
    this.tierDuration = meter.createHistogram(METRIC_NAMES.trackerTierDuration, {
      description: 'Time from the start of a track to the first sighting of each tier',
      unit: 's',
      advice: { explicitBucketBoundaries: buckets },
    })
    this.settleDuration = meter.createHistogram(METRIC_NAMES.trackerSettleDuration, {
      description: 'Time from the start of a track to its terminal',
      unit: 's',
      advice: { explicitBucketBoundaries: buckets },
    })
    this.active = meter.createObservableUpDownCounter(METRIC_NAMES.trackerActiveTracks, {
      description: 'Live tracks',
      unit: '{track}',
    })
    this.active.addCallback((result) => {
      for (const group of this.groups.values()) {
        let size = 0
        for (const tracker of group.trackers) size += tracker.size
        result.observe(size, group.attributes)
      }
    })
  }

  group(attributes: Attributes): Group {
    const key = attributesKey(attributes)
    let group = this.groups.get(key)
    if (!group) {
      group = { attributes, trackers: new Set() }
      this.groups.set(key, group)
    }
    return group
  }
}

const metersByMeter = new WeakMap<Meter, TrackerMeters>()

/**
 * Records a tracker's metrics on an OpenTelemetry meter: updates by chain and source (`stream` received
 * live; `snapshot` and `backfill` recovered; `reconciled`; `poll`), terminals by kind and outcome,
 * targets reached, watch errors, live tracks (a gauge), and how long each tier and the terminal took
 * (histograms, in seconds). The ids themselves never become attributes. See {@link METRIC_NAMES}.
 *
 * The tier histogram is recorded once per track, on its terminal (exactly one per id), from the times
 * the update carries — so it needs no per-track memory; a track that ends without a terminal (timed out,
 * cancelled) is counted by `chainstream.tracker.tracks.active` going down, not in the histograms.
 *
 * @throws {ChainstreamError} `InvalidArgument` without a meter, for an attribute value that is not a
 * short name, or for a tracker already recorded on this meter.
 * @example
 * ```ts
 * import { metrics } from '@opentelemetry/api'
 * import { instrumentTracker } from '@chainstream/core/opentelemetry'
 *
 * const tracker = createTracker({ providers: [toncenter, venum] })
 * instrumentTracker(tracker, { meter: metrics.getMeter('payments'), name: 'payments' })
 * ```
 */
export function instrumentTracker(tracker: MeteredTracker, options: TrackerMetricsOptions): Instrumentation {
  const { meter, attributes } = checkMetricsOptions(options, 'instrumentTracker', METRIC_ATTRIBUTES.tracker)
  let meters = metersByMeter.get(meter)
  if (!meters) {
    meters = new TrackerMeters(meter)
    metersByMeter.set(meter, meters)
  }
  const m = meters
  const group = m.group(attributes)
  if ([...m.groups.values()].some((other) => other.trackers.has(tracker))) {
    throw new ChainstreamError(
      'InvalidArgument',
      'instrumentTracker: this tracker is already recorded on this meter (it would be counted twice); dispose() the first instrumentation to change its options',
    )
  }
  group.trackers.add(tracker)

  const offUpdate = tracker.on('update', (update: LifecycleUpdate) => {
    const chain = { ...attributes, [METRIC_ATTRIBUTES.chain]: update.chain }
    m.updates.add(1, { ...chain, [METRIC_ATTRIBUTES.updateSource]: update.source ?? 'none' })
    if (update.reachedTarget) m.reached.add(1, { ...chain, [METRIC_ATTRIBUTES.tier]: update.target })
    const terminal = update.terminal
    if (!terminal) return
    const ended = {
      ...chain,
      [METRIC_ATTRIBUTES.terminalKind]: terminal.kind,
      [METRIC_ATTRIBUTES.outcome]: update.outcome,
    }
    m.terminals.add(1, ended)
    const startedAt = update.at - update.elapsedMs
    m.settleDuration.record(update.elapsedMs / 1_000, ended)
    for (const tier of FINALITY_TIERS) {
      const at = update.tierReachedAt[tier]
      if (at === undefined || tier === 'unknown') continue
      m.tierDuration.record(Math.max(0, at - startedAt) / 1_000, { ...chain, [METRIC_ATTRIBUTES.tier]: tier })
    }
  })
  const offError = tracker.on('error', () => m.errors.add(1, attributes))

  let disposed = false
  return {
    dispose() {
      if (disposed) return
      disposed = true
      offUpdate()
      offError()
      group.trackers.delete(tracker)
    },
  }
}
