import type { TonSimulator } from '@chainstream/testkit'
import type { StallProxy } from '../harness/stall-proxy.js'
import { sleep, turn, until } from '../harness/wait.js'
import type { TonDeliveryLog } from '../oracle/ton-deliveries.js'
import type { Fault } from '../schedule-types.js'

/** What a TON fault needs to know about the run it is injected into. */
export interface TonFaultTarget {
  readonly sim: TonSimulator
  /** Wallets the consumer follows (raw); manual traces are sent between them. */
  readonly wallets: readonly string[]
  /** What the consumer received so far (to wait until it was shown a trace), when it is a stream. */
  readonly log?: TonDeliveryLog
  /** Whether the consumer sees non-final snapshots at all. */
  readonly seesPending: boolean
  /** Live connections of the consumer right now (simulator-side view). */
  connected(): boolean
  note(line: string): void
  /** One tick of the seeded background scenario. */
  step(): Promise<void>
  /** `n` ticks at once (one synchronous burst). */
  steps?(n: number): Promise<void>
  /** The relay the client talks through, when the schedule stalls the consumer. */
  readonly proxy?: StallProxy
  /** The API key of the consumer's sessions. */
  readonly key?: string
  /** Manual traces this fault started, to be finished before the oracle runs. */
  readonly manual: { finish(): Promise<unknown> }[]
  /** Adds one wallet not followed yet to the subscription (`update()`), when there is one. */
  addWallet?(): Promise<void>
  /** Tracked trace hashes, for the tracker (its traces are planned up front). */
  readonly onTrace?: (hash: string) => void
}

/**
 * Injects one fault into a TON run. Every fault is something a real server or network does; all of them
 * are retryable, so the consumer must come out of each with nothing lost.
 */
export async function injectTonFault(fault: Fault, target: TonFaultTarget): Promise<void> {
  const { sim, params } = { sim: target.sim, params: fault.params }
  switch (fault.kind) {
    case 'drop-mid-event': {
      // Events are written to the sockets, then the sockets die before the client has read them all.
      for (let i = 0; i < Number(params.burst ?? 1); i++) await target.step()
      const dropped = sim.dropConnections({ linger: params.linger === true })
      target.note(`dropped ${dropped} connection(s) mid-event`)
      return
    }
    case 'server-5xx': {
      sim.failNext({ status: Number(params.status), on: 'stream', times: Number(params.times) })
      sim.dropConnections({ linger: false })
      return
    }
    case 'rate-limit-429': {
      sim.failNext({
        status: 429,
        body: { error: 'Ratelimit exceeded' },
        retryAfter: Number(params.retryAfter),
        on: 'stream',
        times: Number(params.times),
      })
      sim.dropConnections({ linger: false })
      return
    }
    case 'reconnect-too-soon': {
      // The first drop lingers; once the client is back, a second drop fills the key's two slots, and the
      // client's next attempts meet `connection limit reached` until the first linger runs out.
      sim.dropConnections({ linger: true })
      await until(() => target.connected(), 1_000)
      const dropped = sim.dropConnections({ linger: true })
      target.note(`second drop (${dropped}), key at its limit: ${JSON.stringify(sim.connections.byKey)}`)
      return
    }
    case 'half-open':
      sim.stopAnsweringPings()
      return
    case 'heartbeat-silence':
      sim.silence()
      return
    case 'v3-errors': {
      sim.failNext({
        status: Number(params.status),
        on: 'v3',
        times: Number(params.times),
        ...(params.status === 429 ? { retryAfter: 0 } : {}),
      })
      sim.dropConnections({ linger: false })
      return
    }
    case 'subscription-change':
      if (!target.addWallet) throw new Error('subscription-change needs a stream to update')
      await target.addWallet()
      return
    case 'slow-consumer':
      await slowConsumer(target, Number(params.drops))
      return
    case 'out-of-order-finality':
      await outOfOrderFinality(target, Number(params.traces), params.dropBetween === true)
      return
    case 'invalidation-across-reconnect':
      await invalidationAcrossReconnect(target, params.confirmedFirst === true)
      return
    default:
      throw new Error(`fault ${fault.kind} does not apply to a TON run`)
  }
}

/**
 * The consumer stops reading while the chain keeps producing: first the sockets' own buffers absorb a few
 * megabytes, then the server's 16/64-frame send buffers fill, then the server drops notifications without
 * telling anyone. Bursts go on until it did drop some (or a cap), then the consumer reads again. Only
 * reconciliation can find what was dropped: the connection never broke.
 */
async function slowConsumer(target: TonFaultTarget, drops: number): Promise<void> {
  const { proxy, sim } = target
  if (!proxy || !target.steps) throw new Error('slow-consumer needs the stall relay')
  const dropped = () =>
    sim.sessions.filter((s) => s.key === target.key).reduce((sum, s) => sum + s.dropped.length, 0)
  // Stall a live, subscribed connection: stalling a handshake in flight only delays the subscription.
  await until(() => target.connected(), 2_000)
  await v3Quiet(sim)
  const before = dropped()
  const events = sim.ledger.mark()
  const started = Date.now()
  proxy.stall()
  // The sockets absorb about 5 MB (a few hundred ticks) before the server's buffers overflow. Bounded in
  // ticks and in time, so a loaded machine cannot turn the stall into a dead connection.
  let ticks = 0
  while (ticks < 800 && Date.now() - started < 1_500 && dropped() - before < drops) {
    await target.steps(50)
    ticks += 50
  }
  proxy.resume()
  target.note(
    `consumer stalled ${Date.now() - started} ms for ${ticks} ticks (${sim.ledger.mark() - events} ledger events): the server dropped ${dropped() - before} notifications`,
  )
}

function pair(target: TonFaultTarget, i: number): string[] {
  const from = target.wallets[i % target.wallets.length] as string
  const others = target.sim.addresses.filter((address) => address !== from)
  return [from, others[i % others.length] as string]
}

/** Traces committed in LT order and finalized in reverse, with a drop in between when drawn. */
async function outOfOrderFinality(
  target: TonFaultTarget,
  count: number,
  dropBetween: boolean,
): Promise<void> {
  const traces = Array.from({ length: count }, (_, i) => target.sim.emitTrace({ addresses: pair(target, i) }))
  for (const trace of traces) target.onTrace?.(trace.traceExternalHashNorm)
  for (const trace of traces) await trace.advance() // pending
  for (const trace of traces) await trace.advance() // confirmed
  if (dropBetween) target.sim.dropConnections({ linger: false })
  for (const trace of [...traces].reverse()) {
    await trace.advance() // finalized, highest LT first
    await turn()
  }
}

/**
 * A trace the client was shown at pending (or confirmed) is invalidated while the client is away: the
 * server sends `trace_invalidated` only on the connection that saw the trace, so only recovery can tell.
 */
async function invalidationAcrossReconnect(target: TonFaultTarget, confirmedFirst: boolean): Promise<void> {
  const trace = target.sim.emitTrace({
    addresses: pair(target, 0),
    stages: confirmedFirst ? ['pending', 'confirmed', 'invalidated'] : ['pending', 'invalidated'],
  })
  target.onTrace?.(trace.traceExternalHashNorm)
  await trace.advance()
  if (confirmedFirst) await trace.advance()
  if (target.log && target.seesPending) {
    const log = target.log
    if (!(await until(() => log.sawTrace(trace.traceExternalHashNorm), 500))) {
      target.note(`trace ${trace.traceExternalHashNorm} not seen before the drop`)
    }
  } else {
    // The tracker's consumer: give the live notification a moment to arrive first.
    await sleep(5)
  }
  target.sim.dropConnections({ linger: false })
  await trace.advance() // invalidated, while the client reconnects
  target.note(`invalidated ${trace.traceExternalHashNorm} while disconnected`)
}

/** Waits until the simulator's API v3 saw no request for a while (bounded): recovery's reads are done. */
export async function v3Quiet(sim: TonSimulator, quietMs = 15, timeoutMs = 1_000): Promise<void> {
  const total = () => Object.values(sim.v3Calls).reduce((sum, n) => sum + n, 0)
  const deadline = Date.now() + timeoutMs
  let last = total()
  let since = Date.now()
  while (Date.now() < deadline) {
    await sleep(3)
    const now = total()
    if (now !== last) {
      last = now
      since = Date.now()
    } else if (Date.now() - since >= quietMs) return
  }
}

/** Streaming requests (SSE and WebSocket upgrades, refused ones too) the simulator received so far. */
export function streamRequests(sim: TonSimulator): number {
  return sim.requests.filter((request) => request.url.includes('/streaming/')).length
}

/**
 * A count of the API v3 requests the simulator received that were new — none made before with the same
 * URL — as a measure of recovery's progress: a baseline or backfill paging through a long window makes new
 * requests one after another (seconds of them on a loaded machine, with no event delivered meanwhile),
 * while periodic re-checks and reconciliation runs over a window that no longer moves repeat theirs.
 */
export function newV3Requests(sim: TonSimulator): () => number {
  const seen = new Set<string>()
  let read = 0
  return () => {
    const requests = sim.requests
    for (; read < requests.length; read++) {
      const url = requests[read]?.url ?? ''
      if (url.includes('/api/v3/')) seen.add(url)
    }
    return seen.size
  }
}
