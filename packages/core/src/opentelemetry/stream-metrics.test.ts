import type { DataPoint } from '@opentelemetry/sdk-metrics'
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import { describe, expect, it } from 'vitest'
import type { ConnectionState, StreamCounters } from '../stream/stream-types.js'
import { Emitter } from '../util/emitter.js'
import { METRIC_NAMES } from './metric-names.js'
import { instrumentStream, type MeteredStream } from './stream-metrics.js'

class PullReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

/**
 * The counters of a stream on a shared connection are partly the connection's, and a connection that
 * ends and is replaced starts counting from zero again. This stand-in lets the test set counters
 * directly; the streams themselves are measured against the simulators in the integration tests.
 */
function fakeStream() {
  const counters: StreamCounters = {
    events: 0,
    backfilled: 0,
    reconciled: 0,
    bytes: 0,
    connects: 0,
    reconnects: 0,
    dropped: 0,
    errors: 0,
    diagnostics: 0,
    lastEventAt: undefined,
    subscribedAt: undefined,
  }
  const events = new Emitter<{
    state: (s: ConnectionState, p: ConnectionState) => void
    reconnect: () => void
  }>(() => {})
  let close!: () => void
  const stream: MeteredStream & { set(c: Partial<StreamCounters>): void; close(): void } = {
    state: 'subscribed',
    get counters() {
      return { ...counters }
    },
    closed: new Promise<void>((resolve) => {
      close = resolve
    }),
    on: ((event: 'state' | 'reconnect', listener: never) =>
      events.on(event, listener)) as MeteredStream['on'],
    set: (c) => Object.assign(counters, c),
    close: () => close(),
  }
  return stream
}

async function value(reader: PullReader, name: string): Promise<number | undefined> {
  const { resourceMetrics } = await reader.collect()
  const point = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name)
    ?.dataPoints[0] as DataPoint<number> | undefined
  return point?.value
}

describe('instrumentStream totals', () => {
  it('never go back when a stream’s counters restart from zero, and keep a closed stream’s count', async () => {
    const reader = new PullReader()
    const meter = new MeterProvider({ readers: [reader] }).getMeter('t')
    const stream = fakeStream()
    instrumentStream(stream, { meter })
    stream.set({ bytes: 500, connects: 1 })
    expect(await value(reader, METRIC_NAMES.streamReceivedBytes)).toBe(500)
    // The shared connection was replaced: its successor counts from zero.
    stream.set({ bytes: 120, connects: 1 })
    expect(await value(reader, METRIC_NAMES.streamReceivedBytes)).toBe(500)
    stream.set({ bytes: 300 })
    expect(await value(reader, METRIC_NAMES.streamReceivedBytes)).toBe(680)

    // What it counted after the last collection and before closing still arrives.
    stream.set({ bytes: 400 })
    stream.close()
    await new Promise((r) => setTimeout(r, 0))
    stream.set({ bytes: 10_000 })
    expect(await value(reader, METRIC_NAMES.streamReceivedBytes)).toBe(780)
  })

  it('reports received as the live part of the delivered events', async () => {
    const reader = new PullReader()
    const meter = new MeterProvider({ readers: [reader] }).getMeter('t')
    const stream = fakeStream()
    instrumentStream(stream, { meter })
    stream.set({ events: 10, backfilled: 3, reconciled: 2 })
    expect(await value(reader, METRIC_NAMES.streamEventsDelivered)).toBe(10)
    expect(await value(reader, METRIC_NAMES.streamEventsReceived)).toBe(5)
    expect(await value(reader, METRIC_NAMES.streamEventsRecovered)).toBe(3)
    expect(await value(reader, METRIC_NAMES.streamEventsReconciled)).toBe(2)
  })

  it('refuses to record one stream twice on a meter, and allows it again after dispose()', () => {
    const meter = new MeterProvider({ readers: [new PullReader()] }).getMeter('t')
    const stream = fakeStream()
    const first = instrumentStream(stream, { meter, name: 'a' })
    expect(() => instrumentStream(stream, { meter, name: 'b' })).toThrow(/already recorded on this meter/)
    first.dispose()
    expect(() => instrumentStream(stream, { meter, name: 'b' }).dispose()).not.toThrow()
  })
})
