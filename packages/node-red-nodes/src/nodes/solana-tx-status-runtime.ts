import { ChainstreamError, type FinalityTier, isTierAtLeast } from '@chainstream/core'
import {
  eventsUpTo,
  VENUM_TIERS,
  type VenumEvent,
  type VenumUpdate,
  type VenumWatch,
} from '@chainstream/provider-venum-solana'
import type { ConnectionStatus } from '../connection/connection-state.js'
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
import { runWithoutConfig } from '../red/without-config.js'
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

/** One input message being watched to its end, on a watch of its own. */
interface Job {
  readonly msg: NodeMessage
  readonly send: SendFunction
  readonly done: DoneFunction
  readonly remaining: Set<string>
  readonly failed: string[]
  readonly unknown: string[]
  watch: VenumWatch | undefined
  timer: ReturnType<typeof setTimeout> | undefined
}

/**
 * `solana-tx-status`: signatures in, status updates out, `done()` once when every signature of the
 * message reached the target tier — or `done(error)` when one failed, timed out or could not be
 * watched, so failures reach Catch nodes. Each message is one `venum.watch(...)` of the config node's
 * client, asking for the tiers up to the target: the client's pool of streams carries it with every
 * other watch of the client, and ends it when every signature is done.
 */
export function setupSolanaTxStatus(RED: RedApi, node: RedNode, config: SolanaTxStatusConfig): void {
  const text = (key: string, substitutions?: Record<string, string | number>) =>
    RED._(`solana-tx-status.status.${key}`, substitutions)
  const reporter = new StatusReporter(node)
  const handle = venumHandle(RED, config.venum)
  if (!handle) {
    runWithoutConfig(RED, node, reporter)
    return
  }
  const { client } = handle
  const target: VenumEvent = config.target && config.target in VENUM_TIERS ? config.target : 'confirmed'
  const targetTier: FinalityTier = VENUM_TIERS[target]
  const events = eventsUpTo(target)
  const timeoutMs = secondsField(config.timeout, 0) * 1000
  const failuresToCatch = config.failuresToCatch !== false
  const jobs = new Set<Job>()
  let shared: ConnectionStatus = client.state.status
  let settled = 0

  const watching = () => {
    let count = 0
    for (const job of jobs) count += job.remaining.size
    return count
  }
  const render = () => {
    const count = watching()
    if (count === 0 && shared.phase !== 'error') {
      return reporter.report({ fill: 'grey', shape: 'ring', text: text('idle', { settled }) })
    }
    reporter.report(connectionStatus(shared, text, text('watching', { count, settled })))
  }

  const finish = (job: Job, error?: unknown) => {
    if (!jobs.delete(job)) return
    if (job.timer) clearTimeout(job.timer)
    void job.watch?.close()
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

  const onUpdate = (job: Job, update: VenumUpdate) => {
    if (!job.remaining.has(update.signature)) return
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
      job.remaining.delete(update.signature)
      if (job.remaining.size === 0) finish(job)
    }
    render()
  }

  // The node's status follows the config node's one state machine; attached under its own id.
  client.state.attach(node.id, (status) => {
    shared = status
    render()
  })

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
      watch: undefined,
      timer: undefined,
    }
    jobs.add(job)
    try {
      const watch = client.watch({ signatures, events })
      job.watch = watch
      watch.on('update', (update) => onUpdate(job, update))
      // A fatal error (a wrong key) ends the message with it; the watch ending by itself or by
      // `finish()` leaves nothing open.
      watch.on('close', (error) => finish(job, error))
    } catch (error) {
      return finish(job, error)
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
  })

  node.on('close', (_removed, done) => {
    client.state.detach(node.id)
    for (const job of [...jobs]) {
      if (job.timer) clearTimeout(job.timer)
      void job.watch?.close()
      // The node is going away, not the transactions: end the messages without an error.
      job.done()
    }
    jobs.clear()
    reporter.clear()
    done()
  })
}
