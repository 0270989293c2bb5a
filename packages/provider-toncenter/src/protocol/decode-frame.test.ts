import { describe, expect, it } from 'vitest'
import { fixtureText } from '../fixtures.test-helper.js'
import { decodeTonFrame } from './decode-frame.js'

describe('decodeTonFrame', () => {
  it('decodes the captured pending transactions notification, amounts and LTs as strings', () => {
    const frame = decodeTonFrame(fixtureText('transactions-pending.captured.json'))
    expect(frame.kind).toBe('notification')
    if (frame.kind !== 'notification' || frame.notification.type !== 'transactions')
      throw new Error('wrong kind')
    const { notification } = frame
    expect(notification.finality).toBe('pending')
    expect(notification.trace_external_hash_norm).toBe('U0quRm916Jef4tJh/vgLd64knzTm4beGqn9Pjpuy2DY=')
    const [tx] = notification.transactions
    expect(tx?.account).toBe('0:BD0EF4D11B0AAE0E8CBBA3A8B194FBAFC7F1AB453F3531B2F2F5BFE633A9B615')
    expect(tx?.lt).toBe('86711284000000')
    expect(tx?.total_fees).toBe('477625')
    expect(tx?.description).toEqual({ type: 'ordinary', aborted: false })
    expect(notification.metadata).toEqual({})
  })

  it('decodes the captured confirmed account_state_change, passing nulls and extra fields through', () => {
    const frame = decodeTonFrame(fixtureText('account-state-change-confirmed.captured.json'))
    if (frame.kind !== 'notification' || frame.notification.type !== 'account_state_change')
      throw new Error('wrong kind')
    expect(frame.notification.finality).toBe('confirmed')
    expect(frame.notification.account).toBe(
      '0:BD0EF4D11B0AAE0E8CBBA3A8B194FBAFC7F1AB453F3531B2F2F5BFE633A9B615',
    )
    expect(frame.notification.state.balance).toBe('1268095327')
    expect(frame.notification.state.extra_currencies).toBeNull()
    expect(frame.notification.state.account_status).toBe('active')
  })

  it('decodes trace_invalidated', () => {
    expect(decodeTonFrame(fixtureText('trace-invalidated.json'))).toEqual({
      kind: 'notification',
      notification: {
        type: 'trace_invalidated',
        trace_external_hash_norm: 'U0quRm916Jef4tJh/vgLd64knzTm4beGqn9Pjpuy2DY=',
      },
    })
  })

  it('reports an unknown notification type instead of failing', () => {
    const frame = decodeTonFrame(fixtureText('unknown-type.json'))
    expect(frame).toEqual({
      kind: 'unknown-type',
      type: 'something_new_from_the_future',
      value: { type: 'something_new_from_the_future', payload: { a: 1 } },
    })
  })

  it('decodes WebSocket acknowledgements and pongs as responses with string ids', () => {
    expect(decodeTonFrame(fixtureText('ws-subscribed-ack.json'))).toEqual({
      kind: 'response',
      id: 'sync-1',
      status: 'subscribed',
    })
    expect(decodeTonFrame(fixtureText('ws-pong.json'))).toEqual({
      kind: 'response',
      id: 'ping-1',
      status: 'pong',
    })
    expect(decodeTonFrame('{"id":"2","status":"unsubscribed"}')).toEqual({
      kind: 'response',
      id: '2',
      status: 'unsubscribed',
    })
    expect(decodeTonFrame('{"id":"1","error":"invalid address: x"}')).toEqual({
      kind: 'response',
      id: '1',
      error: 'invalid address: x',
    })
  })

  it('decodes the connection-limit error frame, which has no id', () => {
    expect(decodeTonFrame('{"error":"connection limit reached: 2 active connections"}')).toEqual({
      kind: 'response',
      error: 'connection limit reached: 2 active connections',
    })
  })

  it('decodes every frame of the captured SSE session: connected, events, invalidation', () => {
    const dataLines = fixtureText('sse-session.txt')
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => line.slice('data: '.length))
    const frames = dataLines.map(decodeTonFrame)
    expect(frames.map((f) => (f.kind === 'notification' ? f.notification.type : f.kind))).toEqual([
      'response',
      'transactions',
      'account_state_change',
      'trace_invalidated',
    ])
    expect(frames[0]).toEqual({ kind: 'response', id: 'req-1', status: 'subscribed' })
  })

  it('decodes all six notification types with their inner objects', () => {
    const trace = {
      type: 'trace',
      finality: 'finalized',
      trace_external_hash_norm: 'h=',
      trace: { tx_hash: 'a', in_msg_hash: 'm', children: [] },
      transactions: {
        a: { account: '0:AB', hash: 'a', lt: '1', now: 1, total_fees: '0', description: {}, out_msgs: [] },
      },
      actions: [{ action_id: 'x', type: 'ton_transfer', transactions: ['a'], details: {} }],
      address_book: { '0:AB': { user_friendly: 'EQ…', domain: null } },
    }
    const actions = {
      type: 'actions',
      finality: 'confirmed',
      trace_external_hash_norm: 'h=',
      actions: [{ action_id: 'x', type: 'jetton_transfer', trace_id: null, details: { amount: '1000' } }],
    }
    const jettons = {
      type: 'jettons_change',
      finality: 'finalized',
      jetton: { address: '0:01', balance: '5', owner: '0:02', jetton: '0:03', last_transaction_lt: '9' },
    }
    for (const value of [trace, actions, jettons]) {
      const frame = decodeTonFrame(JSON.stringify(value))
      expect(frame).toEqual({ kind: 'notification', notification: value })
    }
  })

  it('returns malformed envelopes and non-JSON as invalid, never throwing', () => {
    const cases = [
      'not json',
      '[1,2]',
      'null',
      '{"finality":"pending"}',
      '{"type":"transactions","finality":"soon","trace_external_hash_norm":"h","transactions":[]}',
      '{"type":"transactions","finality":"pending","transactions":[]}',
      '{"type":"transactions","finality":"pending","trace_external_hash_norm":"h","transactions":[{"account":"0:A","hash":"x","lt":5}]}',
      '{"type":"account_state_change","finality":"confirmed"}',
      '{"id":1,"status":"subscribed"}',
    ]
    for (const text of cases) {
      const frame = decodeTonFrame(text)
      expect(frame.kind, text).toBe('invalid')
    }
    const numericLt = decodeTonFrame(cases[6] as string)
    expect(numericLt.kind === 'invalid' && numericLt.reason).toContain('transactions.0.lt')
  })

  it('treats a message with error as a response even when it has a type', () => {
    expect(decodeTonFrame('{"type":"transactions","error":"boom"}').kind).toBe('response')
  })
})
