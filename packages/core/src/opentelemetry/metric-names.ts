/**
 * The names of every instrument chainstream records, in one table so the documentation, the dashboards
 * and the code agree.
 *
 * Names follow OpenTelemetry's messaging conventions (a namespace, dot-separated words, attributes such as
 * `messaging.system` and `messaging.destination.name`) and Prometheus practice once exported: the
 * `chainstream_` prefix, base units spelled out in the name (`_seconds`, `_bytes`) because the
 * OpenTelemetry Prometheus exporter does not append them, and `_total` on counters (the exporter adds it).
 * No instrument carries an address, a signature or a trace hash: those would make a series per
 * transaction.
 */
export const METRIC_NAMES = {
  /** Counter: events that arrived on the live stream (neither recovered nor reconciled). */
  streamEventsReceived: 'chainstream.stream.events.received',
  /** Counter: every event handed to the application, live or recovered — each exactly once. */
  streamEventsDelivered: 'chainstream.stream.events.delivered',
  /** Counter: events delivered by recovery after a (re)connect (backfill, snapshots). */
  streamEventsRecovered: 'chainstream.stream.events.recovered',
  /** Counter: events a periodic reconciliation found that the live stream never delivered. */
  streamEventsReconciled: 'chainstream.stream.events.reconciled',
  /** Counter: events dropped by a `dropOldest` buffer because a consumer was too slow. */
  streamEventsDropped: 'chainstream.stream.events.dropped',
  /** Counter: bytes received from the server by the stream's connection. */
  streamReceivedBytes: 'chainstream.stream.received.bytes',
  /** Counter: successful connections (the first one included). */
  streamConnections: 'chainstream.stream.connections',
  /** Counter: reconnect attempts started. */
  streamReconnects: 'chainstream.stream.reconnects',
  /** Counter: non-fatal errors reported through the stream's `error` event. */
  streamErrors: 'chainstream.stream.errors',
  /** Gauge: streams in each connection state (attribute `chainstream.connection.state`). */
  streamState: 'chainstream.stream.state',
  /** Histogram: from `connecting`/`reconnecting` to `subscribed`, in seconds. */
  streamConnectDuration: 'chainstream.stream.connect.duration.seconds',
  /** Histogram: the back-off before each reconnect, in seconds. */
  streamReconnectDelay: 'chainstream.stream.reconnect.delay.seconds',
  /** Counter: lifecycle updates, by chain and by where the observation came from. */
  trackerUpdates: 'chainstream.tracker.updates',
  /** Counter: tracks that ended with a terminal, by chain, terminal kind and outcome. */
  trackerTerminals: 'chainstream.tracker.terminals',
  /** Counter: tracks whose watch reached its target tier, by chain and target. */
  trackerTargetsReached: 'chainstream.tracker.targets.reached',
  /** Counter: problems of a provider's watch reported through the tracker's `error` event. */
  trackerErrors: 'chainstream.tracker.errors',
  /** Gauge: live tracks. */
  trackerActiveTracks: 'chainstream.tracker.tracks.active',
  /** Histogram: from the start of a track to the first sighting of each tier, in seconds. */
  trackerTierDuration: 'chainstream.tracker.tier.duration.seconds',
  /** Histogram: from the start of a track to its terminal, in seconds. */
  trackerSettleDuration: 'chainstream.tracker.settle.duration.seconds',
} as const

/** The name of one chainstream instrument. */
export type MetricName = (typeof METRIC_NAMES)[keyof typeof METRIC_NAMES]

/**
 * The attribute keys chainstream sets. Custom ones are namespaced `chainstream.*`; the messaging ones are
 * OpenTelemetry's.
 */
export const METRIC_ATTRIBUTES = {
  /** The stream's name as the caller chose it (`name` option). */
  destination: 'messaging.destination.name',
  /** The provider as the caller named it (`system` option), e.g. `toncenter`. */
  system: 'messaging.system',
  /** The tracker's name as the caller chose it (`name` option). */
  tracker: 'chainstream.tracker',
  /** A connection state (`subscribed`, `reconnecting`, …). */
  connectionState: 'chainstream.connection.state',
  /** A chain as a provider names it (`ton`, `solana`). */
  chain: 'chainstream.chain',
  /** Where an observation came from (`stream`, `snapshot`, `backfill`, `poll`, `reconciled`). */
  updateSource: 'chainstream.update.source',
  /** A finality tier. */
  tier: 'chainstream.tier',
  /** How a track ended (`finalized`, `failed`, `invalidated`, `expired`). */
  terminalKind: 'chainstream.terminal.kind',
  /** A transaction outcome (`success`, `failure`, `unknown`). */
  outcome: 'chainstream.outcome',
} as const
