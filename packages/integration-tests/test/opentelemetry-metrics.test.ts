import { createTracker, isChainstreamError, type Tracker } from '@chainstream/core'
import { instrumentStream, instrumentTracker, METRIC_NAMES } from '@chainstream/core/opentelemetry'
import { createToncenter, type Toncenter } from '@chainstream/provider-toncenter'
import { createVenum } from '@chainstream/provider-venum-solana'
import {
  createTonSimulator,
  createVenumSimulator,
  type TonSimulator,
  type VenumSimulator,
  venumSignature,
} from '@chainstream/testkit'
import type { Attributes } from '@opentelemetry/api'
import {
  type DataPoint,
  type Histogram,
  MeterProvider,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

/** A reader the test pulls from: the real SDK aggregation, no exporter in between. */
class PullReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

const until = async (predicate: () => boolean, timeoutMs = 8_000) => {
  const start = Date.now()
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** Every data point of one instrument, by its attributes. */
async function points(reader: PullReader, name: string): Promise<DataPoint<unknown>[]> {
  const { resourceMetrics } = await reader.collect()
  return pointsIn(resourceMetrics, name)
}
function pointsIn(resourceMetrics: ResourceMetrics, name: string): DataPoint<unknown>[] {
  const found = resourceMetrics.scopeMetrics.flatMap((scope) =>
    scope.metrics.filter((metric) => metric.descriptor.name === name),
  )
  return found.flatMap((metric) => metric.dataPoints as DataPoint<unknown>[])
}
const matching = (list: DataPoint<unknown>[], attributes: Attributes) =>
  list.filter((point) => Object.entries(attributes).every(([k, v]) => point.attributes[k] === v))
const pointValue = (list: DataPoint<unknown>[], attributes: Attributes): number | undefined => {
  const [point] = matching(list, attributes)
  return point === undefined ? undefined : (point.value as number)
}
const countOf = (list: DataPoint<unknown>[], attributes: Attributes): number =>
  matching(list, attributes).reduce((sum, point) => sum + (point.value as Histogram).count, 0)

describe('OpenTelemetry metrics of streams (TON simulator, real SDK)', () => {
  let ton: TonSimulator
  let toncenter: Toncenter
  let provider: MeterProvider
  let reader: PullReader

  beforeEach(async () => {
    ton = await createTonSimulator({ keepaliveMs: 200, lingerMs: 0 })
    toncenter = createToncenter({ apiKey: 'metrics-key', baseUrl: ton.toncenter.baseUrl })
    reader = new PullReader()
    provider = new MeterProvider({ readers: [reader] })
  })
  afterEach(async () => {
    await toncenter.close()
    await ton.close()
    await provider.shutdown()
  })

  it('counts events, bytes, connections and reconnects, keeps state per stream, and never goes back', async () => {
    const meter = provider.getMeter('test')
    const addresses = ton.addresses.slice(0, 2)
    const stream = toncenter.stream({
      transport: 'websocket',
      types: ['transactions'],
      addresses,
      minFinality: 'pending',
      reconnect: { initialDelayMs: 20, maxDelayMs: 50 },
    })
    instrumentStream(stream, { meter, name: 'wallets', system: 'toncenter' })
    const series = { 'messaging.destination.name': 'wallets', 'messaging.system': 'toncenter' }
    await stream.waitSubscribed({ timeoutMs: 8_000 })

    const state = await points(reader, METRIC_NAMES.streamState)
    expect(pointValue(state, { ...series, 'chainstream.connection.state': 'subscribed' })).toBe(1)
    expect(pointValue(state, { ...series, 'chainstream.connection.state': 'reconnecting' })).toBe(0)

    await ton.emitTrace({ addresses }).finish()
    await until(() => stream.counters.events >= 3)
    const delivered = await points(reader, METRIC_NAMES.streamEventsDelivered)
    expect(pointValue(delivered, series)).toBe(stream.counters.events)
    const received = await points(reader, METRIC_NAMES.streamEventsReceived)
    expect(pointValue(received, series)).toBe(
      stream.counters.events - stream.counters.backfilled - stream.counters.reconciled,
    )
    const bytesBefore = pointValue(await points(reader, METRIC_NAMES.streamReceivedBytes), series) ?? 0
    expect(bytesBefore).toBeGreaterThan(0)
    expect(pointValue(await points(reader, METRIC_NAMES.streamConnections), series)).toBe(1)
    expect(countOf(await points(reader, METRIC_NAMES.streamConnectDuration), series)).toBe(1)

    // A dropped connection: a reconnect (with its back-off), a second connection, more bytes.
    ton.dropConnections()
    await until(() => stream.counters.connects === 2 && stream.state === 'subscribed')
    await ton.emitTrace({ addresses }).finish()
    await until(() => stream.counters.events >= 6)
    const { resourceMetrics } = await reader.collect()
    expect(pointValue(pointsIn(resourceMetrics, METRIC_NAMES.streamReconnects), series)).toBe(
      stream.counters.reconnects,
    )
    expect(stream.counters.reconnects).toBeGreaterThanOrEqual(1)
    expect(pointValue(pointsIn(resourceMetrics, METRIC_NAMES.streamConnections), series)).toBe(2)
    expect(
      countOf(pointsIn(resourceMetrics, METRIC_NAMES.streamReconnectDelay), series),
    ).toBeGreaterThanOrEqual(1)
    expect(countOf(pointsIn(resourceMetrics, METRIC_NAMES.streamConnectDuration), series)).toBe(2)
    expect(pointValue(pointsIn(resourceMetrics, METRIC_NAMES.streamReceivedBytes), series)).toBeGreaterThan(
      bytesBefore,
    )

    // Closed: it leaves the state gauge, its totals stay.
    const final = stream.counters.events
    await stream.close()
    await new Promise((r) => setTimeout(r, 0))
    const after = await reader.collect()
    expect(pointValue(pointsIn(after.resourceMetrics, METRIC_NAMES.streamEventsDelivered), series)).toBe(
      final,
    )
    for (const s of ['idle', 'connecting', 'subscribed', 'reconnecting']) {
      expect(
        pointValue(pointsIn(after.resourceMetrics, METRIC_NAMES.streamState), {
          ...series,
          'chainstream.connection.state': s,
        }),
      ).toBe(0)
    }
  })

  it('adds up streams of one name, and no series names an address or a trace', async () => {
    const meter = provider.getMeter('test')
    const [a, b] = ton.addresses
    const one = toncenter.stream({
      transport: 'sse',
      types: ['transactions'],
      addresses: [a!],
      minFinality: 'pending',
    })
    const two = toncenter.stream({
      transport: 'sse',
      types: ['transactions'],
      addresses: [b!],
      minFinality: 'pending',
    })
    instrumentStream(one, { meter, name: 'pair' })
    instrumentStream(two, { meter, name: 'pair' })
    await Promise.all([one.waitSubscribed({ timeoutMs: 8_000 }), two.waitSubscribed({ timeoutMs: 8_000 })])
    const trace = ton.emitTrace({ addresses: [a!, b!] })
    await trace.finish()
    await until(() => one.counters.events > 0 && two.counters.events > 0)
    const { resourceMetrics } = await reader.collect()
    const delivered = pointsIn(resourceMetrics, METRIC_NAMES.streamEventsDelivered)
    expect(delivered).toHaveLength(1)
    expect(pointValue(delivered, { 'messaging.destination.name': 'pair' })).toBe(
      one.counters.events + two.counters.events,
    )
    expect(
      pointValue(pointsIn(resourceMetrics, METRIC_NAMES.streamState), {
        'messaging.destination.name': 'pair',
        'chainstream.connection.state': 'subscribed',
      }),
    ).toBe(2)
    const everything = JSON.stringify(
      resourceMetrics.scopeMetrics.flatMap((s) =>
        s.metrics.flatMap((m) => m.dataPoints.map((p) => p.attributes)),
      ),
    ).toLowerCase()
    for (const secret of [a!, b!, trace.traceExternalHashNorm]) {
      expect(everything).not.toContain(secret.toLowerCase())
      expect(everything).not.toContain(secret.toLowerCase().replace(/^0:/, ''))
    }
  })

  it('refuses a missing meter and a label that is an address, without echoing it', () => {
    const stream = toncenter.stream({
      transport: 'sse',
      types: ['transactions'],
      addresses: ton.addresses.slice(0, 1),
      autoStart: false,
    })
    const noMeter = (() => {
      try {
        instrumentStream(stream, {} as never)
      } catch (error) {
        return error
      }
    })()
    expect(isChainstreamError(noMeter, 'InvalidArgument')).toBe(true)
    expect((noMeter as Error).message).toContain('Meter')
    const address = ton.addresses[0]!
    const byAddress = (() => {
      try {
        instrumentStream(stream, { meter: provider.getMeter('test'), name: address })
      } catch (error) {
        return error
      }
    })()
    expect(isChainstreamError(byAddress, 'InvalidArgument')).toBe(true)
    expect((byAddress as Error).message).toContain('never addresses')
    expect((byAddress as Error).message).not.toContain(address)
  })
})

describe('OpenTelemetry metrics of a tracker (TON and Solana simulators, real SDK)', () => {
  let ton: TonSimulator
  let solana: VenumSimulator
  let tracker: Tracker
  let provider: MeterProvider
  let reader: PullReader

  beforeEach(async () => {
    ton = await createTonSimulator({ keepaliveMs: 200, lingerMs: 0 })
    solana = await createVenumSimulator({ heartbeatIntervalMs: 200 })
    tracker = createTracker({
      providers: [
        createToncenter({ apiKey: 'metrics-key', baseUrl: ton.toncenter.baseUrl }),
        createVenum({ apiKey: solana.apiKey, baseUrl: solana.url }),
      ],
    })
    reader = new PullReader()
    provider = new MeterProvider({ readers: [reader] })
  })
  afterEach(async () => {
    await tracker.close()
    await ton.close()
    await solana.close()
    await provider.shutdown()
  })

  it('counts updates by source, terminals by kind and outcome, tier latencies, and live tracks', async () => {
    // A signature as a label would make a series per transaction: refused before anything is recorded.
    const bySignature = (() => {
      try {
        instrumentTracker(tracker, { meter: provider.getMeter('test'), name: venumSignature(40, 7) })
      } catch (error) {
        return error
      }
    })()
    expect(isChainstreamError(bySignature, 'InvalidArgument')).toBe(true)
    const handle = instrumentTracker(tracker, { meter: provider.getMeter('test'), name: 'payments' })
    const base = { 'chainstream.tracker': 'payments' }
    const trace = ton.emitTrace({ addresses: ton.addresses.slice(0, 2) })
    const signature = venumSignature(41, 7)
    solana.addSignature(signature, 'manual')
    const failing = venumSignature(42, 7)
    solana.addSignature(failing, 'manual')
    const [tonTx, solTx, failTx] = tracker.trackMany([
      { chain: 'ton', id: trace.traceExternalHashNorm },
      { chain: 'solana', id: signature },
      { chain: 'solana', id: failing },
    ])
    expect(pointValue(await points(reader, METRIC_NAMES.trackerActiveTracks), base)).toBe(3)
    await until(() => solana.openStreams > 0 && ton.connections.active > 0)
    await new Promise((r) => setTimeout(r, 100))

    await trace.finish()
    for (const event of ['landed', 'processed', 'confirmed', 'finalized'] as const)
      solana.advance(signature, event)
    solana.advance(failing, 'landed')
    solana.advance(failing, 'failed', { err: 'InstructionError: [0, Custom(6001)]' })
    await Promise.all([tonTx!.settled(), solTx!.settled(), failTx!.settled()])

    const { resourceMetrics } = await reader.collect()
    const terminals = pointsIn(resourceMetrics, METRIC_NAMES.trackerTerminals)
    const ok = { ...base, 'chainstream.terminal.kind': 'finalized', 'chainstream.outcome': 'success' }
    expect(pointValue(terminals, { ...ok, 'chainstream.chain': 'ton' })).toBe(1)
    expect(pointValue(terminals, { ...ok, 'chainstream.chain': 'solana' })).toBe(1)
    expect(
      pointValue(terminals, {
        ...base,
        'chainstream.chain': 'solana',
        'chainstream.terminal.kind': 'failed',
        'chainstream.outcome': 'failure',
      }),
    ).toBe(1)
    const reached = pointsIn(resourceMetrics, METRIC_NAMES.trackerTargetsReached)
    expect(
      pointValue(reached, { ...base, 'chainstream.chain': 'ton', 'chainstream.tier': 'finalized' }),
    ).toBe(1)
    const updates = pointsIn(resourceMetrics, METRIC_NAMES.trackerUpdates)
    expect(
      pointValue(updates, { ...base, 'chainstream.chain': 'ton', 'chainstream.update.source': 'stream' }),
    ).toBeGreaterThanOrEqual(3)
    const tiers = pointsIn(resourceMetrics, METRIC_NAMES.trackerTierDuration)
    for (const tier of ['pending', 'confirmed', 'finalized']) {
      expect(countOf(tiers, { ...base, 'chainstream.chain': 'ton', 'chainstream.tier': tier })).toBe(1)
    }
    expect(countOf(tiers, { ...base, 'chainstream.chain': 'solana', 'chainstream.tier': 'finalized' })).toBe(
      1,
    )
    expect(countOf(pointsIn(resourceMetrics, METRIC_NAMES.trackerSettleDuration), base)).toBe(3)
    expect(pointValue(pointsIn(resourceMetrics, METRIC_NAMES.trackerActiveTracks), base)).toBe(0)
    const labels = JSON.stringify(
      resourceMetrics.scopeMetrics.flatMap((s) =>
        s.metrics.flatMap((m) => m.dataPoints.map((p) => p.attributes)),
      ),
    )
    for (const id of [trace.traceExternalHashNorm, signature, failing]) expect(labels).not.toContain(id)

    // Disposed: nothing more is recorded, what was recorded stays.
    handle.dispose()
    const later = ton.emitTrace({ addresses: ton.addresses.slice(0, 2) })
    const tx = tracker.track({ chain: 'ton', id: later.traceExternalHashNorm })
    await new Promise((r) => setTimeout(r, 100))
    await later.finish()
    await tx.settled()
    const again = pointsIn((await reader.collect()).resourceMetrics, METRIC_NAMES.trackerTerminals)
    expect(pointValue(again, { ...ok, 'chainstream.chain': 'ton' })).toBe(1)
  })
})
