import {
  createTracker,
  type LifecycleUpdate,
  type ObservedTier,
  type TrackedTransaction,
  type Tracker,
} from '@chainstream/core'
import { isObservedTier, type LifecycleSourceV1 } from '@chainstream/core/provider'
import { combinedStatus } from '../connection/combined-status.js'
import type { ConnectionStateMachine, ConnectionStatus } from '../connection/connection-state.js'
import { closeWithin } from '../red/close-within.js'
import { secondsField } from '../red/list-field.js'
import type {
  BaseNodeConfig,
  DoneFunction,
  NodeMessage,
  RedApi,
  RedNode,
  SendFunction,
} from '../red/red-types.js'
import { connectionStatus, StatusReporter } from '../red/status-reporter.js'
import { tonHandle, venumHandle } from './config-handles.js'
import { lifecycleRequests } from './lifecycle-input.js'

/** The editor fields of `tx-lifecycle`. */
export interface TxLifecycleConfig extends BaseNodeConfig {
  /** Which TON config serves `chain: 'ton'` (`none`: TON is not tracked). */
  tonProvider?: 'toncenter' | 'tonapi' | 'none'
  toncenter?: string
  tonapi?: string
  venum?: string
  /** The chain of ids given as plain strings, and of the configured id. */
  chain?: 'ton' | 'solana'
  /** An id to track when the message does not name one. */
  txId?: string
  target?: string
  /** Seconds without a terminal update before the watch ends `timed_out` (outcome unknown); 0: none. */
  timeout?: string | number
  /** `terminal`: output 2 at the end of the story; `target`: as soon as the target tier is reached. */
  settleOn?: 'terminal' | 'target'
}

/** One input message and the tracks it waits for. */
interface Job {
  readonly msg: NodeMessage
  readonly send: SendFunction
  readonly done: DoneFunction
  readonly listeners: Map<TrackedTransaction, () => void>
  errors: string[]
}

/**
 * `tx-lifecycle`: the cross-chain tracker in a node. `{ chain, id }` in; output 1 every lifecycle update,
 * output 2 the one that settles it (the terminal update, or the watch ending). One tracker per node
 * (`createTracker` over the config nodes' lifecycle sources): its target, time-out, `list` and history
 * are this node's, and closing it with the node ends exactly this node's tracks. Its watches are the
 * providers' own, on the config nodes' clients — the TON one rides the same connection as the
 * `ton-stream` nodes — so batching, snapshots, re-checks and outcome rules are the providers'.
 */
export function setupTxLifecycle(RED: RedApi, node: RedNode, config: TxLifecycleConfig): void {
  const text = (key: string, substitutions?: Record<string, string | number>) =>
    RED._(`tx-lifecycle.status.${key}`, substitutions)
  const reporter = new StatusReporter(node)
  const tonProvider = config.tonProvider ?? 'toncenter'
  const ton =
    tonProvider === 'none'
      ? undefined
      : tonHandle(RED, tonProvider === 'tonapi' ? config.tonapi : config.toncenter)
  const solana = venumHandle(RED, config.venum)
  const clients = [ton?.client, solana?.client].filter((client) => client !== undefined)
  // The providers' own lifecycle sources, on the config nodes' clients: one tracker per node.
  const sources: LifecycleSourceV1[] = clients.map((client) => client.lifecycle)
  const machines: ConnectionStateMachine[] = clients.map((client) => client.state)
  const target: ObservedTier = isObservedTier(config.target) ? config.target : 'finalized'
  const timeoutMs = secondsField(config.timeout, 120) * 1000
  const settleOnTarget = config.settleOn === 'target'
  const defaults = { chain: config.chain === 'solana' ? 'solana' : 'ton', id: config.txId ?? '' }
  const jobs = new Set<Job>()
  const statuses = new Map<ConnectionStateMachine, ConnectionStatus>()
  let tracker: Tracker | undefined
  let settled = 0
  let closing = false

  const live = () => {
    const tracks = new Set<TrackedTransaction>()
    for (const job of jobs) for (const track of job.listeners.keys()) tracks.add(track)
    return tracks.size
  }
  const render = () => {
    if (sources.length === 0) return reporter.report({ fill: 'red', shape: 'ring', text: text('noConfig') })
    const count = live()
    const status = combinedStatus(statuses.values())
    if (count === 0 && status.phase !== 'error') {
      return reporter.report({ fill: 'grey', shape: 'ring', text: text('idle', { settled }) })
    }
    reporter.report(connectionStatus(status, text, text('tracking', { count, settled })))
  }
  // The node's status follows the connections it tracks on; attached under its own id, detached on close.
  for (const machine of machines) {
    machine.attach(node.id, (status) => {
      statuses.set(machine, status)
      render()
    })
  }
  render()

  const getTracker = (): Tracker => {
    if (!tracker) {
      tracker = createTracker({ providers: sources, target, timeoutMs })
      tracker.on('error', (error) => {
        if (!closing)
          node.warn(
            `${RED._('tx-lifecycle.errors.watch')}: ${error instanceof Error ? error.message : String(error)}`,
          )
      })
    }
    return tracker
  }

  const message = (job: Job, update: LifecycleUpdate): NodeMessage => ({
    ...job.msg,
    topic: `${update.chain}/${update.id}`,
    payload: update,
  })

  const finishTrack = (job: Job, track: TrackedTransaction) => {
    const off = job.listeners.get(track)
    if (!off) return
    off()
    job.listeners.delete(track)
    settled++
    // Settled on its target and nobody else waits for it: stop watching it.
    if (!track.ended && ![...jobs].some((other) => other.listeners.has(track)))
      track.cancel('settled at its target')
    if (job.listeners.size === 0) {
      jobs.delete(job)
      job.done(job.errors.length > 0 ? new Error(job.errors.join('; ')) : undefined)
    }
  }

  const follow = (job: Job, track: TrackedTransaction) => {
    const onUpdate = (update: LifecycleUpdate) => {
      if (closing) return
      job.send([message(job, update), null])
      const ended = update.terminal !== undefined || !['watching', 'reached'].includes(update.watch)
      if (ended || (settleOnTarget && update.reachedTarget === true)) {
        job.send([null, message(job, update)])
        if (update.watch === 'errored')
          job.errors.push(`${update.chain}/${update.id}: ${update.watchReason ?? 'errored'}`)
        finishTrack(job, track)
      }
      render()
    }
    job.listeners.set(track, track.on('update', onUpdate))
    // A track already under way (another message asked for it first): show where it is now.
    const current = track.current
    if (current.providerStatus !== undefined) onUpdate(current)
  }

  node.on('input', (msg: NodeMessage, send: SendFunction, done: DoneFunction) => {
    if (msg.action === 'list') {
      send([{ ...msg, topic: 'tracks', payload: tracker?.list() ?? [] }, null])
      return done()
    }
    if (sources.length === 0) return done(new Error(RED._('tx-lifecycle.errors.noConfig')))
    let tracks: TrackedTransaction[]
    try {
      const requests = lifecycleRequests(msg, defaults)
      tracks = getTracker().trackMany(
        requests.map((request) => ({
          chain: request.chain,
          id: request.id,
          target: request.target ?? target,
          timeoutMs: request.timeoutMs ?? timeoutMs,
        })),
      )
    } catch (error) {
      return done(error)
    }
    if (msg.action === 'cancel') {
      for (const track of tracks) track.cancel('cancelled by a message')
      return done()
    }
    const job: Job = { msg, send, done, listeners: new Map(), errors: [] }
    jobs.add(job)
    for (const track of new Set(tracks)) {
      if (!job.listeners.has(track)) follow(job, track)
    }
    render()
  })

  node.on('close', (_removed, done) => {
    closing = true
    for (const job of jobs) {
      for (const off of job.listeners.values()) off()
      job.done()
    }
    jobs.clear()
    for (const machine of machines) machine.detach(node.id)
    reporter.clear()
    const closingTracker = tracker
    tracker = undefined
    closeWithin(
      () => closingTracker?.close(),
      done,
      (text) => node.warn(text),
    )
  })
}
