import type { FaultKind } from './fault-kinds.js'
import { Prng } from './prng.js'
import type {
  Fault,
  Schedule,
  SignaturePath,
  TonFinality,
  TonStreamPlan,
  TrackerPlan,
  VenumWatchPlan,
} from './schedule-types.js'

/** Which faults each scenario draws from (the WebSocket-only ones are filtered by transport). */
const TON_STREAM_FAULTS: readonly FaultKind[] = [
  'drop-mid-event',
  'server-5xx',
  'rate-limit-429',
  'reconnect-too-soon',
  'half-open',
  'heartbeat-silence',
  'slow-consumer',
  'out-of-order-finality',
  'invalidation-across-reconnect',
  'v3-errors',
  'subscription-change',
]
const VENUM_FAULTS: readonly FaultKind[] = [
  'venum-drop',
  'venum-stall',
  'venum-503-fallback',
  'venum-rest-errors',
  'venum-stream-limit',
  'abort',
]
const TRACKER_FAULTS: readonly FaultKind[] = [
  'drop-mid-event',
  'server-5xx',
  'reconnect-too-soon',
  'half-open',
  'heartbeat-silence',
  'invalidation-across-reconnect',
  'venum-drop',
  'venum-stall',
  'venum-503-fallback',
  'venum-rest-errors',
  'abort',
]

/**
 * Turns a seed into its fault schedule. Pure and deterministic: the same seed gives the same schedule on
 * every run, so a failing seed is replayed by its number alone. Each aspect draws from its own PRNG fork,
 * so extending one (a new fault kind) leaves the others of existing seeds as they were.
 */
export function scheduleFor(seed: number): Schedule {
  const prng = new Prng(seed)
  const scenario = prng.fork('scenario').weighted({ 'ton-stream': 5, 'venum-watch': 2, tracker: 3 })
  if (scenario === 'ton-stream') return { seed, ...tonStreamPlan(prng) }
  if (scenario === 'venum-watch') return { seed, ...venumWatchPlan(prng) }
  return { seed, ...trackerPlan(prng) }
}

function tonStreamPlan(root: Prng): TonStreamPlan {
  const prng = root.fork('ton-stream')
  const transport = prng.chance(0.5) ? 'websocket' : 'sse'
  const ticks = prng.int(8, 16)
  const kinds = TON_STREAM_FAULTS.filter((kind) => kind !== 'half-open' || transport === 'websocket')
  const faults = drawFaults(root.fork('faults'), kinds, ticks)
  // Its own fork, so the other aspects of existing seeds are unchanged; the label is one that left every
  // regression seed named before it without an outage (they replay the schedules that showed their bugs).
  const outage = root.fork('first-baseline-late')
  const v3Outage = outage.chance(0.2)
    ? { status: outage.pick([429, 502, 503]), ms: outage.int(1_200, 2_400) }
    : undefined
  // The same for a second consumer of the client's shared connection: the label's number is the first
  // that left every regression seed named before it with one stream only.
  const joiner = root.fork('second-consumer-651')
  const secondConsumer = joiner.chance(0.25) ? secondConsumerPlan(joiner, ticks) : undefined
  // And for a tracker sharing that connection: the label's number is the first that left every regression
  // seed named before it without one.
  const tracking = root.fork('shared-tracker-1186')
  const sharedTracker = tracking.chance(0.25)
    ? { tick: tracking.int(0, ticks - 2), traces: tracking.int(1, 3) }
    : undefined
  // And for the followed wallets falling quiet before a wallet is added: the label's number is the first
  // that left every regression seed named before it without it.
  const quiet = root.fork('quiet-before-add-1226')
  const quietBeforeAdd =
    faults.some((fault) => fault.kind === 'subscription-change') && quiet.chance(0.35)
      ? quiet.int(2, 4)
      : undefined
  return {
    scenario: 'ton-stream',
    profile: prng.chance(0.7) ? 'toncenter' : 'tonapi',
    transport,
    minFinality: prng.weighted<TonFinality>({ pending: 4, confirmed: 3, finalized: 3 }),
    wallets: prng.int(1, 3),
    ticks,
    invalidationRate: prng.pick([0.05, 0.15, 0.3]),
    failureRate: prng.pick([0.05, 0.2]),
    lingerMs: lingerFor(prng, faults),
    reconcile: faults.some((fault) => fault.kind === 'slow-consumer'),
    ...(v3Outage ? { v3Outage } : {}),
    ...(secondConsumer ? { secondConsumer } : {}),
    ...(sharedTracker ? { sharedTracker } : {}),
    ...(quietBeforeAdd ? { quietBeforeAdd } : {}),
    faults,
  }
}

/** When the second consumer joins, whom it shares, and when (in half of them) the first one leaves. */
function secondConsumerPlan(prng: Prng, ticks: number): NonNullable<TonStreamPlan['secondConsumer']> {
  const tick = prng.int(1, ticks - 2)
  const overlap = prng.chance(0.5)
  return prng.chance(0.5) ? { tick, overlap, firstLeaves: prng.int(tick + 1, ticks - 1) } : { tick, overlap }
}

function venumWatchPlan(root: Prng): VenumWatchPlan {
  const prng = root.fork('venum-watch')
  const manual = Array.from(
    { length: prng.int(2, 12) },
    (): SignaturePath => (prng.chance(0.8) ? 'success' : 'failure'),
  )
  const ticks = prng.int(8, 14)
  const faults = drawFaults(root.fork('faults'), VENUM_FAULTS, ticks)
  const aborting = faults.some((fault) => fault.kind === 'abort')
  const waits = prng
    .sample(
      manual.map((_, index) => index),
      prng.int(aborting ? 1 : 0, 3),
    )
    .map((index) => {
      const tier = prng.pick(['landed', 'confirmed', 'finalized'] as const)
      const abortAt = aborting && prng.chance(0.6) ? prng.int(1, ticks - 1) : undefined
      return abortAt === undefined ? { index, tier } : { index, tier, abortAt }
    })
  // Its own fork, so the other aspects of existing seeds are unchanged (no venum-watch seed was named yet).
  const tracking = root.fork('shared-tracker')
  const sharedTracker = tracking.chance(0.3)
    ? {
        tick: tracking.int(0, ticks - 2),
        indices: tracking.sample(
          manual.map((_, index) => index),
          tracking.int(1, Math.min(3, manual.length)),
        ),
      }
    : undefined
  return {
    scenario: 'venum-watch',
    manual,
    automatic: prng.int(0, 8),
    events:
      prng.weighted({ all: 7, landedConfirmed: 2, finalizedOnly: 1 }) === 'all'
        ? ['landed', 'processed', 'confirmed', 'finalized']
        : prng.chance(0.6)
          ? ['landed', 'confirmed']
          : ['finalized'],
    maxStreams: prng.int(1, 4),
    waits,
    ...(sharedTracker ? { sharedTracker } : {}),
    ticks,
    faults,
  }
}

const TRACE_PATHS: readonly (readonly string[])[] = [
  ['pending', 'confirmed', 'finalized'],
  ['pending', 'confirmed', 'finalized'],
  ['pending', 'confirmed', 'finalized'],
  ['pending', 'finalized'],
  ['confirmed', 'finalized'],
  ['finalized'],
  ['pending', 'invalidated'],
  ['pending', 'confirmed', 'invalidated'],
]

function trackerPlan(root: Prng): TrackerPlan {
  const prng = root.fork('tracker')
  const transport = prng.chance(0.6) ? 'websocket' : 'sse'
  const ticks = prng.int(6, 12)
  const kinds = TRACKER_FAULTS.filter((kind) => kind !== 'half-open' || transport === 'websocket')
  const faults = drawFaults(root.fork('faults'), kinds, ticks)
  const aborting = faults.some((fault) => fault.kind === 'abort')
  const abortAt = () => (aborting && prng.chance(0.4) ? { abortAt: prng.int(1, ticks - 1) } : {})
  return {
    scenario: 'tracker',
    profile: prng.chance(0.7) ? 'toncenter' : 'tonapi',
    transport,
    traces: Array.from({ length: prng.int(1, 5) }, () => ({
      stages: prng.pick(TRACE_PATHS),
      failed: prng.chance(0.15),
      ...abortAt(),
      ...(prng.chance(0.3) ? { trackAt: prng.int(1, ticks - 1) } : {}),
    })),
    signatures: Array.from({ length: prng.int(0, 4) }, () => ({
      path: prng.chance(0.8) ? ('success' as const) : ('failure' as const),
      ...abortAt(),
    })),
    lingerMs: lingerFor(prng, faults),
    ticks,
    faults,
  }
}

/** A linger long enough to matter when the schedule provokes the connection limit, else a short one. */
function lingerFor(prng: Prng, faults: readonly Fault[]): number {
  if (faults.some((fault) => fault.kind === 'reconnect-too-soon')) return prng.int(80, 200)
  return prng.pick([0, 0, 30])
}

/** One to three faults at distinct ticks (never the first: the stream is subscribed before tick 0). */
function drawFaults(prng: Prng, kinds: readonly FaultKind[], ticks: number): Fault[] {
  const count = prng.weighted({ one: 4, two: 4, three: 2 })
  const n = count === 'one' ? 1 : count === 'two' ? 2 : 3
  const at = prng
    .sample(
      Array.from({ length: ticks - 1 }, (_, i) => i + 1),
      n,
    )
    .sort((a, b) => a - b)
  return at.map((tick) => {
    const kind = prng.pick(kinds)
    return { kind, tick, params: paramsFor(prng, kind) }
  })
}

function paramsFor(prng: Prng, kind: FaultKind): Fault['params'] {
  switch (kind) {
    case 'drop-mid-event':
      return { linger: prng.chance(0.5), burst: prng.int(1, 3) }
    case 'server-5xx':
      return { status: prng.pick([500, 502, 503, 504]), times: prng.int(1, 3) }
    case 'rate-limit-429':
      // Retry-After is a floor on the delay: most seeds use 0 to stay fast, some pay the real second, and
      // some get a hostile one (a billion seconds) that the client must cap rather than obey or ignore.
      return { retryAfter: retryAfter(prng), times: prng.int(1, 2) }
    case 'slow-consumer':
      // How many notifications the server must have dropped before the consumer reads again.
      return { drops: prng.pick([10, 30, 60]) }
    case 'out-of-order-finality':
      return { traces: prng.int(2, 3), dropBetween: prng.chance(0.5) }
    case 'invalidation-across-reconnect':
      return { confirmedFirst: prng.chance(0.4) }
    case 'v3-errors':
      return { status: prng.pick([429, 502, 503]), times: prng.int(1, 3) }
    case 'venum-drop':
      return prng.chance(0.5) ? { mode: 'now' } : { mode: 'after', events: prng.int(1, 4) }
    case 'venum-503-fallback':
      return { ticks: prng.int(1, 3) }
    case 'venum-rest-errors':
      return { faults: prng.pick(['429', '502', '503', '502,503', 'lookup-error', '429,lookup-error']) }
    case 'venum-stream-limit':
      return { perKey: prng.int(1, 2), retryAfter: retryAfter(prng) }
    default:
      return {}
  }
}

/** A `Retry-After` in seconds: 0 mostly, a real second sometimes, a hostile billion seconds sometimes. */
function retryAfter(prng: Prng): number {
  const pick = prng.weighted({ none: 6, second: 2, hostile: 2 })
  return pick === 'none' ? 0 : pick === 'second' ? 1 : 1_000_000_000
}

/** One line that says what a seed does, for reports. */
export function describeSchedule(schedule: Schedule): string {
  const faults = schedule.faults
    .map((fault) => {
      const params = Object.entries(fault.params)
        .map(([key, value]) => `${key}=${value}`)
        .join(',')
      return `${fault.kind}@${fault.tick}${params ? `(${params})` : ''}`
    })
    .join(' ')
  switch (schedule.scenario) {
    case 'ton-stream':
      return `ton-stream ${schedule.profile}/${schedule.transport} min=${schedule.minFinality} wallets=${schedule.wallets} ticks=${schedule.ticks}${schedule.reconcile ? ' reconcile' : ''}${schedule.v3Outage ? ` v3-down-at-start=${schedule.v3Outage.ms}ms(${schedule.v3Outage.status})` : ''}${describeSecond(schedule.secondConsumer)}${schedule.sharedTracker ? ` tracker@${schedule.sharedTracker.tick}×${schedule.sharedTracker.traces}` : ''}${schedule.quietBeforeAdd ? ` quiet-before-add=${schedule.quietBeforeAdd}` : ''} | ${faults}`
    case 'venum-watch':
      return `venum-watch manual=${schedule.manual.length} auto=${schedule.automatic} events=${schedule.events.join('+')} maxStreams=${schedule.maxStreams} waits=${schedule.waits.length}${schedule.sharedTracker ? ` tracker@${schedule.sharedTracker.tick}×${schedule.sharedTracker.indices.length}` : ''} ticks=${schedule.ticks} | ${faults}`
    case 'tracker':
      return `tracker ${schedule.profile}/${schedule.transport} traces=${schedule.traces.length}${lateCount(schedule)} signatures=${schedule.signatures.length} ticks=${schedule.ticks} | ${faults}`
  }
}

function lateCount(plan: TrackerPlan): string {
  const late = plan.traces.filter((trace) => trace.trackAt !== undefined).length
  return late > 0 ? ` (${late} tracked late)` : ''
}

function describeSecond(second: TonStreamPlan['secondConsumer']): string {
  if (!second) return ''
  const leaves = second.firstLeaves === undefined ? '' : ` first-leaves@${second.firstLeaves}`
  return ` second-consumer@${second.tick}${second.overlap ? '(overlap)' : ''}${leaves}`
}
