import type { Attributes, Histogram, Meter, Observable } from '@opentelemetry/api'
import { ChainstreamError } from '../errors/chainstream-error.js'
import type { ConnectionState, ReconnectInfo, StreamCounters } from '../stream/stream-types.js'
import { METRIC_ATTRIBUTES, METRIC_NAMES } from './metric-names.js'
import {
  attributesKey,
  checkMetricsOptions,
  type Instrumentation,
  type MetricsOptions,
} from './metric-options.js'

/**
 * What {@link instrumentStream} needs of a stream: its counters, its state and two of its events. Every
 * chainstream stream has them — a core `ChainStream`, a TON stream of `@chainstream/provider-toncenter`
 * or `@chainstream/provider-tonapi`.
 */
export interface MeteredStream {
  /** The current connection state. */
  readonly state: ConnectionState
  /** A snapshot of the counters. */
  readonly counters: StreamCounters
  /** Settles when the stream has ended. */
  readonly closed: Promise<unknown>
  /** Connection state changes. */
  on(event: 'state', listener: (state: ConnectionState, previous: ConnectionState) => void): () => void
  /** Scheduled reconnects. */
  on(event: 'reconnect', listener: (info: ReconnectInfo) => void): () => void
}

/** Options of {@link instrumentStream}. */
export interface StreamMetricsOptions extends MetricsOptions {
  /**
   * The provider, as `messaging.system` (`'toncenter'`, `'tonapi'`). Left out when not given.
   */
  system?: string
}

/** The counters exported, in the order of {@link COUNTED}. */
type Totals = number[]

/** Each exported counter: its instrument name, description, unit, and how it is read off the counters. */
const COUNTED: readonly {
  name: string
  description: string
  unit: string
  read: (c: StreamCounters) => number
}[] = [
  {
    name: METRIC_NAMES.streamEventsReceived,
    description: 'Events that arrived on the live stream',
    unit: '{event}',
    read: (c) => c.events - c.backfilled - c.reconciled,
  },
  {
    name: METRIC_NAMES.streamEventsDelivered,
    description: 'Events delivered to the application, live or recovered, each once',
    unit: '{event}',
    read: (c) => c.events,
  },
  {
    name: METRIC_NAMES.streamEventsRecovered,
    description: 'Events delivered by recovery after a (re)connect',
    unit: '{event}',
    read: (c) => c.backfilled,
  },
  {
    name: METRIC_NAMES.streamEventsReconciled,
    description: 'Events a reconciliation found that the live stream never delivered',
    unit: '{event}',
    read: (c) => c.reconciled,
  },
  {
    name: METRIC_NAMES.streamEventsDropped,
    description: 'Events dropped by a dropOldest buffer for a slow consumer',
    unit: '{event}',
    read: (c) => c.dropped,
  },
  {
    name: METRIC_NAMES.streamReceivedBytes,
    description: "Bytes received from the server on the stream's connection",
    unit: 'By',
    read: (c) => c.bytes,
  },
  {
    name: METRIC_NAMES.streamConnections,
    description: 'Successful connections, the first one included',
    unit: '{connection}',
    read: (c) => c.connects,
  },
  {
    name: METRIC_NAMES.streamReconnects,
    description: 'Reconnect attempts started',
    unit: '{reconnect}',
    read: (c) => c.reconnects,
  },
  {
    name: METRIC_NAMES.streamErrors,
    description: "Non-fatal errors reported through the stream's error event",
    unit: '{error}',
    read: (c) => c.errors,
  },
]

/** The states a live stream can be in (a closed one leaves the gauge). */
const LIVE_STATES: readonly ConnectionState[] = ['idle', 'connecting', 'subscribed', 'reconnecting']

interface Member {
  readonly stream: MeteredStream
  /** The counters as last folded into the group's totals. */
  last: Totals
}

/** The streams sharing one attribute set, and what they (and those gone before) added up to. */
interface Group {
  readonly attributes: Attributes
  readonly stateAttributes: ReadonlyMap<ConnectionState, Attributes>
  readonly members: Set<Member>
  readonly totals: Totals
}

/** The instruments of one meter, created once and shared by every stream instrumented on it. */
class StreamMeters {
  readonly groups = new Map<string, Group>()
  /** Streams recorded on this meter now: a second instrumentation would count them twice. */
  readonly recording = new WeakSet<MeteredStream>()
  readonly connectDuration: Histogram
  readonly reconnectDelay: Histogram
  private readonly counters: Observable[]
  private readonly state: Observable

  constructor(meter: Meter) {
    this.counters = COUNTED.map(({ name, description, unit }) =>
      meter.createObservableCounter(name, { description, unit }),
    )
    this.state = meter.createObservableUpDownCounter(METRIC_NAMES.streamState, {
      description: 'Streams in each connection state',
      unit: '{stream}',
    })
    this.connectDuration = meter.createHistogram(METRIC_NAMES.streamConnectDuration, {
      description: 'Time from connecting or reconnecting to subscribed, a back-off included',
      unit: 's',
      advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] },
    })
    this.reconnectDelay = meter.createHistogram(METRIC_NAMES.streamReconnectDelay, {
      description: 'Back-off before a reconnect',
      unit: 's',
      advice: { explicitBucketBoundaries: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60] },
    })
    // Counters are read on collection, never per event: instrumenting costs nothing on the hot path.
    meter.addBatchObservableCallback((result) => this.observe(result), [...this.counters, this.state])
  }

  group(attributes: Attributes): Group {
    const key = attributesKey(attributes)
    let group = this.groups.get(key)
    if (!group) {
      group = {
        attributes,
        stateAttributes: new Map(
          LIVE_STATES.map((state) => [state, { ...attributes, [METRIC_ATTRIBUTES.connectionState]: state }]),
        ),
        members: new Set(),
        totals: COUNTED.map(() => 0),
      }
      this.groups.set(key, group)
    }
    return group
  }

  private observe(result: { observe(o: Observable, value: number, a?: Attributes): void }): void {
    for (const group of this.groups.values()) {
      const inState = new Map<ConnectionState, number>(LIVE_STATES.map((state) => [state, 0]))
      for (const member of group.members) {
        fold(group, member)
        const state = member.stream.state
        if (inState.has(state)) inState.set(state, (inState.get(state) ?? 0) + 1)
      }
      this.counters.forEach((counter, i) => {
        result.observe(counter, group.totals[i] ?? 0, group.attributes)
      })
      for (const [state, count] of inState) {
        result.observe(this.state, count, group.stateAttributes.get(state))
      }
    }
  }
}

/**
 * Adds what a stream counted since the last fold to its group. Only increases are added: a counter that
 * reads lower than before (a shared connection replaced by a new one) never makes a total go back.
 */
function fold(group: Group, member: Member): void {
  const counters = member.stream.counters
  COUNTED.forEach(({ read }, i) => {
    const value = read(counters)
    const delta = value - (member.last[i] ?? 0)
    if (delta > 0) group.totals[i] = (group.totals[i] ?? 0) + delta
    member.last[i] = value
  })
}

const metersByMeter = new WeakMap<Meter, StreamMeters>()

/**
 * Records a stream's metrics on an OpenTelemetry meter: events received, delivered, recovered,
 * reconciled and dropped, bytes, connections, reconnects and errors (counters read from
 * `stream.counters` when the meter collects, so nothing is added per event), streams per connection state
 * (a gauge), and the time to subscribe and the reconnect back-off (histograms, in seconds). See
 * {@link METRIC_NAMES} for the names.
 *
 * Streams instrumented with the same `name`, `system` and `attributes` are added together. Streams that
 * share one connection (the default for streams of one client) each report that connection's bytes,
 * connections and reconnects. Recording stops by itself when the stream closes; its totals stay.
 *
 * @throws {ChainstreamError} `InvalidArgument` without a meter, for an attribute value that is not a
 * short name (an address or signature by mistake), or for a stream already recorded on this meter.
 * @example
 * ```ts
 * import { metrics } from '@opentelemetry/api'
 * import { instrumentStream } from '@chainstream/core/opentelemetry'
 *
 * const stream = toncenter.stream({ types: ['transactions'], addresses })
 * instrumentStream(stream, { meter: metrics.getMeter('wallet-service'), name: 'wallets', system: 'toncenter' })
 * ```
 */
export function instrumentStream(stream: MeteredStream, options: StreamMetricsOptions): Instrumentation {
  const { meter, attributes } = checkMetricsOptions(
    options,
    'instrumentStream',
    METRIC_ATTRIBUTES.destination,
    {
      [METRIC_ATTRIBUTES.system]: { what: 'system', value: options?.system },
    },
  )
  let meters = metersByMeter.get(meter)
  if (!meters) {
    meters = new StreamMeters(meter)
    metersByMeter.set(meter, meters)
  }
  if (meters.recording.has(stream)) {
    throw new ChainstreamError(
      'InvalidArgument',
      'instrumentStream: this stream is already recorded on this meter (it would be counted twice); dispose() the first instrumentation to change its options',
    )
  }
  meters.recording.add(stream)
  const recording = meters.recording
  const { connectDuration, reconnectDelay } = meters
  const group = meters.group(attributes)
  const member: Member = { stream, last: COUNTED.map(() => 0) }
  group.members.add(member)

  // A stream created with counters already counting (instrumented late) contributes them too: its
  // `last` starts at zero.
  let connectingSince: number | undefined =
    stream.state === 'connecting' || stream.state === 'reconnecting' ? performance.now() : undefined
  const offState = stream.on('state', (state) => {
    if (state === 'connecting' || state === 'reconnecting') {
      connectingSince ??= performance.now()
    } else if (state === 'subscribed' && connectingSince !== undefined) {
      connectDuration.record((performance.now() - connectingSince) / 1_000, attributes)
      connectingSince = undefined
    } else {
      connectingSince = undefined
    }
  })
  const offReconnect = stream.on('reconnect', (info) => {
    reconnectDelay.record(info.delayMs / 1_000, attributes)
  })

  let disposed = false
  const dispose = () => {
    if (disposed) return
    disposed = true
    offState()
    offReconnect()
    // What the stream counted since the last collection still belongs to the totals.
    fold(group, member)
    group.members.delete(member)
    recording.delete(stream)
  }
  void stream.closed.then(dispose, dispose)
  return { dispose }
}
