import { isChainstreamError } from '@chainstream/core'
import type { ConnectionStatus } from '../connection/connection-state.js'
import { closeWithin } from '../red/close-within.js'
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
import { settingsOf, targetsOf, withoutTargets, withTargets } from '../ton/ton-targets.js'
import type { TonUserSubscription } from '../ton/ton-user-subscription.js'
import { isActive, toUserSubscription } from '../ton/ton-user-subscription.js'
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

/**
 * `ton-stream`: a user of its config node's shared TON connection. Streams what it is configured for,
 * changes its subscription on `msg.action` in the core MQTT node's vocabulary, and leaves the
 * connection cleanly on close.
 */
export function setupTonStream(RED: RedApi, node: RedNode, config: TonStreamConfig): void {
  const text = (key: string, substitutions?: Record<string, string | number>) =>
    RED._(`ton-stream.status.${key}`, substitutions)
  const reporter = new StatusReporter(node)
  const split = config.split === true
  const handle = tonHandle(RED, config.provider === 'tonapi' ? config.tonapi : config.toncenter)
  if (!handle) {
    reporter.report({ fill: 'red', shape: 'ring', text: text('noConfig') })
    node.on('input', (_msg, _send, done) => done(new Error(RED._('ton-stream.errors.noConfig'))))
    node.on('close', (_removed, done) => {
      reporter.clear()
      done()
    })
    return
  }
  const { connection } = handle
  let subscription: TonUserSubscription | undefined
  let configError: string | undefined
  let paused = false
  let events = 0
  let shared: ConnectionStatus = connection.state.status

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

  connection.register({
    id: node.id,
    onEvent: (event) => {
      events++
      node.send(routed(eventMessage(event), event.type, split))
      render()
    },
    onStatus: (status) => {
      shared = status
      render()
    },
    onError: (error) => {
      const message = error instanceof Error ? error.message : String(error)
      node.error(message, { topic: 'error', payload: { code: codeOf(error), message }, error })
    },
  })

  const apply = (): Promise<void> => connection.setSubscription(node.id, paused ? undefined : subscription)
  // The configured subscription starts at once; a problem shows in the status (and fatal ones through
  // onError), so nothing is reported twice here.
  apply().catch(() => {})
  render()

  const control = async (msg: NodeMessage, send: SendFunction): Promise<void> => {
    const action = msg.action
    if (!subscription)
      throw new Error(configError ?? RED._('ton-stream.errors.invalidConfig', { reason: '' }))
    switch (action) {
      case 'subscribe': {
        const previous = subscription
        subscription = toUserSubscription(
          withTargets(subscription, targetsOf(msg.topic), settingsOf(msg.topic)),
        )
        paused = false
        render()
        try {
          await apply()
        } catch (error) {
          // Refused (or not applied in time): keep what this node had, so one bad message cannot
          // leave the shared connection holding a subscription nobody asked for.
          if (
            isChainstreamError(error, 'InvalidSubscription') ||
            isChainstreamError(error, 'InvalidArgument')
          ) {
            subscription = previous
            render()
            apply().catch(() => {})
          }
          throw error
        }
        return
      }
      case 'unsubscribe': {
        const all = msg.topic === undefined || msg.topic === true || msg.topic === '' || msg.topic === '#'
        subscription = toUserSubscription(
          withoutTargets(subscription, all ? undefined : targetsOf(msg.topic)),
        )
        render()
        return apply()
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
        return apply()
      case 'disconnect':
        paused = true
        render()
        return apply()
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
    reporter.clear()
    closeWithin(
      () => connection.deregister(node.id),
      done,
      (message) => node.warn(message),
    )
  })
}

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
    ? (error as { code: string }).code
    : undefined
}
