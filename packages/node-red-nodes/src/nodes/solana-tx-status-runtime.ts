import { ChainstreamError, type FinalityTier, isTierAtLeast } from '@chainstream/core'
import { VENUM_TIERS, type VenumEvent, type VenumUpdate } from '@chainstream/provider-venum-solana'
import type { ConnectionStatus } from '../connection/connection-state.js'
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
import { signaturesFrom } from '../solana/signature-input.js'
import { venumHandle } from './config-handles.js'

/** The editor fields of `solana-tx-status`. */
export interface SolanaTxStatusConfig extends BaseNodeConfig {
  venum?: string
  /** The tier at which a signature is done for this node. */
  target?: VenumEvent
  /** Seconds to wait for the target before giving up (the outcome is then unknown); 0: Venum's own limits. */
  timeout?: string | number
  /** Failed, timed-out and errored signatures end the message with an error, which reaches Catch nodes. */
  failuresToCatch?: boolean
}

/** One input message being watched to its end. */
interface Job {
  readonly msg: NodeMessage
  readonly send: SendFunction
  readonly done: DoneFunction
  readonly remaining: Set<string>
  readonly failed: string[]
  readonly unknown: string[]
  timer: ReturnType<typeof setTimeout> | undefined
}

/**
 * `solana-tx-status`: signatures in, status updates out, `done()` once when every signature of the
 * message reached the target tier — or `done(error)` when one failed, timed out or could not be
 * watched, so failures reach Catch nodes. Signatures are watched on the config node's shared watch.
 */
export function setupSolanaTxStatus(RED: RedApi, node: RedNode, config: SolanaTxStatusConfig): void {
  const text = (key: string, substitutions?: Record<string, string | number>) =>
    RED._(`solana-tx-status.status.${key}`, substitutions)
  const reporter = new StatusReporter(node)
  const handle = venumHandle(RED, config.venum)
  if (!handle) {
    reporter.report({ fill: 'red', shape: 'ring', text: text('noConfig') })
    node.on('input', (_msg, _send, done) => done(new Error(RED._('solana-tx-status.errors.noConfig'))))
    node.on('close', (_removed, done) => {
      reporter.clear()
      done()
    })
    return
  }
  const { connection } = handle
  const target: VenumEvent = config.target && config.target in VENUM_TIERS ? config.target : 'confirmed'
  const targetTier: FinalityTier = VENUM_TIERS[target]
  const timeoutMs = secondsField(config.timeout, 0) * 1000
  const failuresToCatch = config.failuresToCatch !== false
  const jobs = new Set<Job>()
  /** Signature → the jobs waiting for it. */
  const waiting = new Map<string, Set<Job>>()
  let shared: ConnectionStatus = connection.state.status
  let settled = 0

  const render = () => {
    if (waiting.size === 0 && shared.phase !== 'error') {
      return reporter.report({ fill: 'grey', shape: 'ring', text: text('idle', { settled }) })
    }
    reporter.report(connectionStatus(shared, text, text('watching', { count: waiting.size, settled })))
  }

  const release = (job: Job, signature: string) => {
    job.remaining.delete(signature)
    const set = waiting.get(signature)
    set?.delete(job)
    if (set && set.size === 0) {
      waiting.delete(signature)
      connection.remove(node.id, [signature]).catch(() => {})
    }
  }

  const finish = (job: Job, error?: unknown) => {
    if (!jobs.delete(job)) return
    if (job.timer) clearTimeout(job.timer)
    for (const signature of [...job.remaining]) release(job, signature)
    settled++
    render()
    if (error !== undefined) return job.done(error)
    if (failuresToCatch && job.failed.length > 0) {
      return job.done(
        new ChainstreamError(
          'TransactionFailed',
          RED._('solana-tx-status.errors.failed', { list: job.failed.join('; ') }),
          {
            isRetryable: false,
          },
        ),
      )
    }
    if (failuresToCatch && job.unknown.length > 0) {
      return job.done(
        new ChainstreamError(
          'WaitTimeout',
          RED._('solana-tx-status.errors.unknown', { list: job.unknown.join('; ') }),
          {
            isRetryable: false,
          },
        ),
      )
    }
    job.done()
  }

  const onUpdate = (update: VenumUpdate) => {
    const set = waiting.get(update.signature)
    if (!set) return
    for (const job of [...set]) {
      job.send({ ...job.msg, topic: update.signature, payload: update })
      const short = `${update.signature.slice(0, 8)}…`
      let end = false
      if (update.status === 'failed') {
        job.failed.push(`${short} failed${update.err ? `: ${update.err}` : ''}`)
        end = true
      } else if (update.outcome !== 'failure' && isTierAtLeast(update.tier, targetTier)) {
        end = true
      } else if (update.done) {
        job.unknown.push(`${short} ${update.status}${update.err ? `: ${update.err}` : ''} (outcome unknown)`)
        end = true
      }
      if (end) {
        release(job, update.signature)
        if (job.remaining.size === 0) finish(job)
      }
    }
    render()
  }

  connection.register({
    id: node.id,
    onUpdate,
    onStatus: (status) => {
      shared = status
      render()
    },
    onError: (error) => {
      for (const job of [...jobs]) finish(job, error)
    },
  })
  render()

  node.on('input', (msg: NodeMessage, send: SendFunction, done: DoneFunction) => {
    let signatures: string[]
    try {
      signatures = signaturesFrom(msg.payload)
    } catch (error) {
      return done(error)
    }
    const job: Job = {
      msg,
      send,
      done,
      remaining: new Set(signatures),
      failed: [],
      unknown: [],
      timer: undefined,
    }
    jobs.add(job)
    for (const signature of signatures) {
      const set = waiting.get(signature) ?? new Set<Job>()
      waiting.set(signature, set)
      set.add(job)
    }
    if (timeoutMs > 0) {
      job.timer = setTimeout(() => {
        for (const signature of job.remaining) {
          job.unknown.push(
            `${signature.slice(0, 8)}… not at ${target} after ${timeoutMs / 1000} s (outcome unknown)`,
          )
        }
        finish(job)
      }, timeoutMs)
    }
    render()
    connection.add(node.id, signatures).catch((error: unknown) => finish(job, error))
  })

  node.on('close', (_removed, done) => {
    for (const job of [...jobs]) {
      if (job.timer) clearTimeout(job.timer)
      // The node is going away, not the transactions: end the messages without an error.
      job.done()
    }
    jobs.clear()
    waiting.clear()
    reporter.clear()
    closeWithin(
      () => connection.deregister(node.id),
      done,
      (message) => node.warn(message),
    )
  })
}
