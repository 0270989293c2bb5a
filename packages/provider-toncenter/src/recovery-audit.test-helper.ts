import { type AddressInfo, connect, createServer, type Socket } from 'node:net'
import type { TonSimulator } from '@chainstream/testkit'
import { finalityRank, type TonFinality } from './protocol/event-types.js'
import { createV3Client } from './recovery/v3-client.js'
import type { TonStreamOptions } from './stream-options.js'
import type { TonEvent } from './ton-event.js'
import { createTonStream, type TonStream } from './ton-stream.js'
import { createToncenter } from './toncenter.js'

type Frame = Record<string, unknown>

/** What to do with one notification frame a simulated server is about to write to a session. */
export type FrameVerdict = 'deliver' | 'skip' | 'cut'

interface PatchableSession {
  id: string
  deliver(message: Frame, ...rest: unknown[]): void
  drop(): void
}

/**
 * Frame-level faults at exact frames, applied to every session the simulator accepts from now on (and
 * those open now): `skip` swallows one notification — what the server does to a client whose send buffer is
 * full, here at frames a seed picks rather than where a slow socket happens to back up — and `cut` drops
 * the connection abruptly right before this notification, so it and everything after it on that
 * connection is lost (a drop that falls between two frames of one stage). Returns the function that stops
 * intercepting.
 */
export function interceptFrames(
  sim: TonSimulator,
  decide: (frame: Frame, sessionId: string) => FrameVerdict,
): () => void {
  let active = true
  const wrap = (session: PatchableSession) => {
    const original = session.deliver.bind(session)
    let cut = false
    session.deliver = (message: Frame, ...rest: unknown[]) => {
      if (cut) return
      const verdict = active ? decide(message, session.id) : 'deliver'
      if (verdict === 'skip') return
      if (verdict === 'cut') {
        // Nothing from here on reaches the client; the drop itself waits for the frames before this one to
        // leave the socket (destroying it at once would discard them too).
        cut = true
        setTimeout(() => session.drop(), 20)
        return
      }
      original(message, ...rest)
    }
  }
  const sessions = sim.sessions as unknown as PatchableSession[]
  for (const session of sessions) wrap(session)
  const push = sessions.push.bind(sessions)
  sessions.push = (...added: PatchableSession[]) => {
    for (const session of added) wrap(session)
    return push(...added)
  }
  return () => {
    active = false
  }
}

/**
 * A TCP relay in front of the simulator whose server-to-client direction can be stopped: with `pause()` the
 * client reads nothing more, as a client stuck behind slow handlers or a congested link, so the simulator's
 * socket backs up and its send buffers (16 frames per SSE connection, 64 per WebSocket client) overflow
 * exactly as the real server's do.
 */
export async function slowLink(target: string): Promise<{
  url: string
  pause(): void
  resume(): void
  close(): Promise<void>
}> {
  const { hostname, port } = new URL(target)
  const upstreams = new Map<Socket, Socket>()
  const sockets = new Set<Socket>()
  let paused = false
  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname)
    sockets.add(client)
    sockets.add(upstream)
    upstreams.set(upstream, client)
    const end = () => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
      upstreams.delete(upstream)
    }
    client.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
    client.pipe(upstream)
    if (!paused) upstream.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${address.port}`,
    pause() {
      paused = true
      for (const [upstream, client] of upstreams) {
        upstream.unpipe(client)
        upstream.pause()
      }
    },
    resume() {
      paused = false
      for (const [upstream, client] of upstreams) upstream.pipe(client)
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** `type hash` of a trace-scoped frame or event. */
export const snapshotKey = (value: object) =>
  `${String((value as Frame).type)} ${String((value as Frame).trace_external_hash_norm)}`

/** Which parts of the ledger a stream should have delivered. */
export interface AuditScope {
  /** The followed account (raw). */
  account: string
  minFinality: TonFinality
  /** The ledger mark (`sim.ledger.mark()`) taken right after the stream was subscribed and baselined. */
  since: number
  /** The stream's `actionTypes` filter, if any. */
  actionTypes?: readonly string[]
}

/** Everything that went wrong, as readable strings (empty arrays when the stream kept its promise). */
export interface AuditReport {
  /** Final snapshots (`type hash finality`) the ledger emitted for the account and the stream never delivered. */
  lost: string[]
  /** Snapshots delivered twice with nothing new. */
  duplicates: string[]
  /** A lower finality delivered after a higher one for the same (type, trace). */
  backwards: string[]
  /** Delivered snapshots the ledger never emitted for the account after `since` (phantoms, or made up). */
  unexpected: string[]
  /** Delivered snapshots whose transactions or actions differ from what the server emitted. */
  wrongContent: string[]
  /** Traces delivered below finalized, then invalidated on the server, without a `trace_invalidated`. */
  unreportedInvalidations: string[]
  /** Final snapshots the ledger expects (for "the audit checked something"). */
  expected: number
}

function involved(frame: Frame, account: string, actionTypes: readonly string[] | undefined): Set<string> {
  const out = new Set<string>()
  if (frame.type === 'transactions') {
    for (const tx of frame.transactions as { account: string; hash: string }[]) {
      if (tx.account === account) out.add(tx.hash)
    }
  } else if (frame.type === 'actions') {
    for (const action of frame.actions as { accounts: string[]; action_id: string; type: string }[]) {
      if (!action.accounts.includes(account)) continue
      if (actionTypes && actionTypes.length > 0 && !actionTypes.includes(action.type)) continue
      out.add(action.action_id)
    }
  }
  return out
}

function factsOfEvent(event: TonEvent): Set<string> {
  if (event.type === 'transactions') return new Set(event.transactions.map((tx) => tx.hash))
  if (event.type === 'actions') return new Set(event.actions.map((action) => action.action_id))
  return new Set()
}

/**
 * Compares what a stream following one account delivered (`transactions` and `actions`) with the
 * simulator's ledger: nothing final lost, nothing doubled, no finality backwards per (trace, type), nothing
 * the server did not emit after the subscription, the same transactions and actions as the server's, and
 * an invalidation for every trace delivered below finalized that the server invalidated.
 */
export function audit(sim: TonSimulator, events: readonly TonEvent[], scope: AuditScope): AuditReport {
  const { account, minFinality, since, actionTypes } = scope
  const emitted = new Map<string, Set<string>>() // `type hash finality` → facts for the account
  const latest = new Map<string, TonFinality>()
  const invalidated = new Set<string>()
  for (const { notification } of sim.ledger.since(since)) {
    const frame = notification as Frame
    if (frame.type === 'trace_invalidated') {
      invalidated.add(String(frame.trace_external_hash_norm))
      continue
    }
    if (frame.type !== 'transactions' && frame.type !== 'actions') continue
    const facts = involved(frame, account, actionTypes)
    if (facts.size === 0) continue
    const finality = frame.finality as TonFinality
    emitted.set(`${snapshotKey(frame)} ${finality}`, facts)
    const key = snapshotKey(frame)
    const previous = latest.get(key)
    if (!previous || finalityRank(finality) > finalityRank(previous)) latest.set(key, finality)
  }
  const report: AuditReport = {
    lost: [],
    duplicates: [],
    backwards: [],
    unexpected: [],
    wrongContent: [],
    unreportedInvalidations: [],
    expected: 0,
  }
  const deliveredAt = new Map<string, TonFinality>()
  const seenKeys = new Set<string>()
  const belowFinal = new Set<string>()
  const reportedInvalid = new Set<string>()
  for (const event of events) {
    if (event.type === 'trace_invalidated') {
      reportedInvalid.add(event.trace_external_hash_norm)
      for (const type of ['transactions', 'actions'])
        deliveredAt.delete(`${type} ${event.trace_external_hash_norm}`)
      continue
    }
    if (event.type !== 'transactions' && event.type !== 'actions') continue
    const key = snapshotKey(event)
    const full = `${key} ${event.finality}`
    if (seenKeys.has(full)) report.duplicates.push(`${full} (${event.source})`)
    seenKeys.add(full)
    const previous = deliveredAt.get(key)
    if (previous && finalityRank(event.finality) < finalityRank(previous)) {
      report.backwards.push(`${key} ${previous} → ${event.finality} (${event.source})`)
    } else {
      deliveredAt.set(key, event.finality)
    }
    if (event.finality !== 'finalized') belowFinal.add(event.trace_external_hash_norm)
    const expectedFacts = emitted.get(full)
    if (!expectedFacts) {
      report.unexpected.push(`${full} (${event.source})`)
      continue
    }
    const facts = factsOfEvent(event)
    const same = facts.size === expectedFacts.size && [...facts].every((fact) => expectedFacts.has(fact))
    if (!same) report.wrongContent.push(`${full} (${event.source})`)
  }
  for (const [key, finality] of latest) {
    const hash = key.split(' ')[1] as string
    if (invalidated.has(hash)) continue
    if (finalityRank(finality) < finalityRank(minFinality)) continue
    report.expected++
    if (deliveredAt.get(key) !== finality) report.lost.push(`${key} ${finality}`)
  }
  for (const hash of belowFinal) {
    if (invalidated.has(hash) && !reportedInvalid.has(hash)) report.unreportedInvalidations.push(hash)
  }
  return report
}

/** Waits until `read()` has not changed for `quietMs` (and `ready()` holds), or fails after `timeoutMs`. */
export async function quiescent(
  read: () => number,
  ready: () => boolean,
  quietMs = 400,
  timeoutMs = 10_000,
): Promise<void> {
  const start = Date.now()
  let last = read()
  let since = Date.now()
  while (Date.now() - start < timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    const now = read()
    if (now !== last || !ready()) {
      last = now
      since = Date.now()
    } else if (Date.now() - since >= quietMs) {
      return
    }
  }
  throw new Error(`not quiescent within ${timeoutMs} ms`)
}

/** Deterministic cut points for seeded runs. */
export function seededPicks(seed: number, count: number, max: number): number[] {
  let state = seed >>> 0 || 1
  const next = () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 0x1_0000_0000
  }
  return Array.from({ length: count }, () => 1 + Math.floor(next() * max)).sort((a, b) => a - b)
}

/** The two services a TON stream can run against; both recover from TON Center API v3. */
export type Profile = 'toncenter' | 'tonapi'

/**
 * Opens a stream on the simulator through the public API: `createToncenter(...).stream(...)`, or the TonAPI
 * service profile (`createTonStream` with TonAPI's paths and Bearer authentication, recovering from the
 * simulator's API v3) as `createTonapi` builds it.
 */
export function openStream(
  sim: TonSimulator,
  profile: Profile,
  key: string,
  options: TonStreamOptions,
): TonStream {
  if (profile === 'toncenter')
    return createToncenter({ apiKey: key, baseUrl: sim.toncenter.baseUrl }).stream(options)
  return createTonStream(
    {
      providerId: 'tonapi',
      providerName: 'TonAPI',
      sseUrl: sim.tonapi.sseUrl,
      wsUrl: sim.tonapi.wsUrl,
      keys: [key],
      auth: { via: 'header', header: (k) => ({ Authorization: `Bearer ${k}` }), queryParam: 'token' },
      recoverySource: createV3Client({ baseUrl: sim.toncenter.v3BaseUrl, apiKey: key }),
    },
    options,
  )
}

/** What an audit of a stream that kept the promise reports: nothing in any list. */
export const CLEAN = {
  lost: [],
  duplicates: [],
  backwards: [],
  unexpected: [],
  wrongContent: [],
  unreportedInvalidations: [],
}
