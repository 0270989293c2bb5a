import { describe, expect, it } from 'vitest'
import { resolveTonSubscription } from './subscription.js'
import {
  createRequestIds,
  isPongText,
  pingMessage,
  subscribeMessage,
  unsubscribeMessage,
} from './ws-messages.js'

const RAW = '0:CA6E321C7CCE9ECEDF0A8CA2492EC8592494AA5FB5CE0387DFF96EF6AF982A3E'

describe('WebSocket envelopes', () => {
  it('builds subscribe with a string id and the whole subscription', () => {
    const subscription = resolveTonSubscription({
      types: ['transactions', 'actions'],
      addresses: [RAW],
      minFinality: 'pending',
      includeAddressBook: true,
      actionTypes: ['jetton_transfer'],
    })
    expect(JSON.parse(subscribeMessage('1', subscription))).toEqual({
      operation: 'subscribe',
      id: '1',
      types: ['transactions', 'actions'],
      addresses: [RAW],
      min_finality: 'pending',
      include_address_book: true,
      include_metadata: false,
      action_types: ['jetton_transfer'],
    })
  })

  it('builds unsubscribe and ping', () => {
    expect(JSON.parse(unsubscribeMessage('2', { addresses: [RAW], traceExternalHashNorms: ['h='] }))).toEqual(
      {
        operation: 'unsubscribe',
        id: '2',
        addresses: [RAW],
        trace_external_hash_norms: ['h='],
      },
    )
    expect(JSON.parse(unsubscribeMessage('3', { addresses: [RAW] }))).toEqual({
      operation: 'unsubscribe',
      id: '3',
      addresses: [RAW],
    })
    expect(pingMessage('ping-3')).toBe('{"operation":"ping","id":"ping-3"}')
  })

  it('makes unique string ids', () => {
    const ids = createRequestIds()
    expect([ids('subscribe'), ids('ping'), ids('unsubscribe')]).toEqual([
      'subscribe-1',
      'ping-2',
      'unsubscribe-3',
    ])
  })

  it('recognises pongs cheaply', () => {
    expect(isPongText('{"id":"ping-1","status":"pong"}')).toBe(true)
    expect(isPongText('{"id":"ping-1", "status" : "pong"}')).toBe(true)
    expect(isPongText('{"id":"1","status":"subscribed"}')).toBe(false)
    expect(isPongText('{"type":"actions","note":"pong"}')).toBe(false)
  })
})
