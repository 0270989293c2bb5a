import { isChainstreamError } from '@chainstream/core'
import type { TonEvent, TonStream } from '@chainstream/provider-toncenter'
import type { ConnectionStatus } from '../connection/connection-state.js'
import { listField } from '../red/list-field.js'
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
import { settingsOf, type TonTargets, targetsOf, withoutTargets, withTargets } from '../ton/ton-targets.js'
import {
  isActive,
  streamFields,
  type TonUserSubscription,
  toUserSubscription,
} from '../ton/ton-user-subscription.js'
import { tonHandle } from './config-handles.js'
import { eventMessage, routed } from './ton-stream-messages.js'

/** The editor fields of `ton-stream`. */
export interface TonStreamConfig extends BaseNodeConfig {
  provider?: 'toncenter' | 'tonapi'
  toncenter?: string
  tonapi?: string
  types?: string[] | string
  addresses?: string
  traceHashes?: string
  minFinality?: string
  actionTypes?: string
  includeAddressBook?: boolean
  includeMetadata?: boolean
  /** One output per event type. */
  split?: boolean
}

const ACTIONS = ['subscribe', 'unsubscribe', 'getSubscriptions', 'connect', 'disconnect'] as const

/** How long a control message waits for a newly opened stream to be subscribed. */
const SUBSCRIBE_WAIT_MS = 20_000

/**
 * `ton-stream`: one `client.stream(...)` of its config node's provider client, which rides the client's
 * shared connection and delivers exactly this node's events. Streams what it is configured for, maps
 * `msg.action` (the core MQTT node's vocabulary) onto `stream.update()` / `stream.unsubscribe()`, or
 * closes the stream while it has nothing to follow and opens a new one when it has again; on close it
 * hands the stream back to the config node, which keeps the connection through a redeploy.
 */
export function setupTonStream(RED: RedApi, node: RedNode, config: TonStreamConfig): void {
  const text = (key: string, substitutions?: Record<string, string | number>) =>
    RED._(`ton-stream.status.${key}`, substitutions)
  const reporter = new StatusReporter(node)
  const split = config.split === true
  const handle = tonHandle(RED, config.provider === 'tonapi' ? config.tonapi : config.toncenter)
  if (!handle) {
    runWithoutConfig(RED, node, reporter)
    return
  }
  const { client } = handle
  let subscription: TonUserSubscription | undefined
  let configError: string | undefined
  let paused = false
  let events = 0
  let shared: ConnectionStatus = client.state.status
  let stream: TonStream | undefined
  let detach: (() => void)[] = []
  /** A stream a control message is waiting for: its fatal end is that message's error, not reported twice. */
  let awaited: TonStream | undefined

  const render = () => {
    if (configError) return reporter.report({ fill: 'red', shape: 'ring', text: configError })
    if (shared.phase !== 'error' && (paused || !subscription || !isActive(subscription))) {
      return reporter.report({ fill: 'grey', shape: 'ring', text: text(paused ? 'paused' : 'waiting') })
    }
    const targets = (subscription?.addresses.length ?? 0) + (subscription?.traceExternalHashNorms.length ?? 0)
    reporter.report(connectionStatus(shared, text, text('subscribed', { targets, events })))
  }

  try {
    subscription = toUserSubscription({
      types: listField(config.types),
      addresses: listField(config.addresses),
      traceExternalHashNorms: listField(config.traceHashes),
      // Missing only in hand-written flows: the editor's default then.
      minFinality: config.minFinality || 'confirmed',
      actionTypes: listField(config.actionTypes),
      includeAddressBook: config.includeAddressBook === true,
      includeMetadata: config.includeMetadata === true,
    })
  } catch (error) {
    configError = error instanceof Error ? error.message.slice(0, 60) : String(error)
    node.error(
      RED._('ton-stream.errors.invalidConfig', {
        reason: String(error instanceof Error ? error.message : error),
      }),
    )
  }

  // The node's status follows the config node's one state machine; attached under its own id.
  client.state.attach(node.id, (status) => {
    shared = status
    render()
  })

  const onEvent = (event: TonEvent) => {
    events++
    node.send(routed(eventMessage(event), event.type, split))
    render()
  }

  const onClosed = (closed: TonStream, error: unknown) => {
    if (closed !== stream) return
    for (const off of detach) off()
    detach = []
    stream = undefined
    if (error === undefined || closed === awaited) return
    // The provider gave up (a wrong key, a refused subscription): to Catch nodes, with the reason.
    const message = error instanceof Error ? error.message : String(error)
    node.error(message, { topic: 'error', payload: { code: codeOf(error), message }, error })
  }

  const open = (): TonStream => {
    const opened = client.open(streamFields(subscription as TonUserSubscription))
    stream = opened
    detach = [opened.on('event', onEvent), opened.on('close', (error) => onClosed(opened, error))]
    return opened
  }

  const drop = () => {
    const dropped = stream
    if (!dropped) return
    for (const off of detach) off()
    detach = []
    stream = undefined
    client.release(dropped)
  }

  /**
   * Brings the stream in line with the node: none while there is nothing to follow, a new one when there
   * is again, otherwise the change in place (`removed`: the targets an unsubscribe took away).
   */
  const sync = async (removed?: TonTargets): Promise<void> => {
    if (!subscription || paused || !isActive(subscription)) return drop()
    if (!stream) {
      const opened = open()
      awaited = opened
      try {
        await opened.waitSubscribed({ timeoutMs: SUBSCRIBE_WAIT_MS })
      } finally {
        if (awaited === opened) awaited = undefined
      }
      return
    }
    if (removed && removed.addresses.length + removed.traceExternalHashNorms.length > 0) {
      return stream.unsubscribe(removed)
    }
    return stream.update(streamFields(subscription))
  }

  // The configured subscription starts at once; a problem shows in the status (and a fatal one reaches
  // Catch nodes through the stream's close), so nothing is reported twice here.
  if (subscription && isActive(subscription)) {
    try {
      open()
    } catch {
      // The configuration error: shown red through the config node's state, logged by the config node.
    }
  }
  render()

  const control = async (msg: NodeMessage, send: SendFunction): Promise<void> => {
    const action = msg.action
    if (!subscription)
      throw new Error(configError ?? RED._('ton-stream.errors.invalidConfig', { reason: '' }))
    switch (action) {
      case 'subscribe': {
        const previous = { subscription, paused }
        subscription = toUserSubscription(
          withTargets(subscription, targetsOf(msg.topic), settingsOf(msg.topic)),
        )
        paused = false
        render()
        try {
          await sync()
        } catch (error) {
          // Refused (the stream keeps what it had, or ended): so does the node. A stream that is only slow
          // to subscribe keeps trying with the new subscription.
          if (!isChainstreamError(error, 'SubscribeTimeout')) {
            ;({ subscription, paused } = previous)
            render()
          }
          throw error
        }
        return
      }
      case 'unsubscribe': {
        const all = msg.topic === undefined || msg.topic === true || msg.topic === '' || msg.topic === '#'
        const targets = all ? undefined : targetsOf(msg.topic)
        subscription = toUserSubscription(withoutTargets(subscription, targets))
        render()
        return sync(targets)
      }
      case 'getSubscriptions': {
        const reply: NodeMessage = {
          ...msg,
          topic: 'subscriptions',
          payload: {
            types: subscription.types,
            addresses: subscription.addresses,
            traceExternalHashNorms: subscription.traceExternalHashNorms,
            minFinality: subscription.minFinality,
            actionTypes: subscription.actionTypes,
            active: !paused && isActive(subscription),
            paused,
          },
        }
        send(routed(reply, 'transactions', split))
        return
      }
      case 'connect':
        paused = false
        render()
        return sync()
      case 'disconnect':
        paused = true
        render()
        return sync()
      default:
        throw new Error(
          RED._('ton-stream.errors.unknownAction', { action: String(action), actions: ACTIONS.join(', ') }),
        )
    }
  }

  node.on('input', (msg: NodeMessage, send: SendFunction, done: DoneFunction) => {
    control(msg, send).then(
      () => done(),
      (error: unknown) => done(error),
    )
  })

  node.on('close', (_removed, done) => {
    client.state.detach(node.id)
    reporter.clear()
    drop()
    done()
  })
}

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
    ? (error as { code: string }).code
    : undefined
}
