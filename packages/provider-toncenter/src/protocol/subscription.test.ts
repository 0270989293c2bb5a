import { isChainstreamError } from '@chainstream/core'
import { describe, expect, it } from 'vitest'
import {
  applySubscriptionChange,
  isIdleSubscription,
  needsReconnectToApply,
  removeFromSubscription,
  resolveTonSubscription,
  type TonSubscriptionOptions,
  toWireSubscription,
} from './subscription.js'
import { normalizeTraceHash } from './trace-hash.js'

const FRIENDLY = 'EQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff-W72r5gqPrHF'
const NON_BOUNCEABLE = 'UQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff-W72r5gqPuwA'
const RAW = '0:CA6E321C7CCE9ECEDF0A8CA2492EC8592494AA5FB5CE0387DFF96EF6AF982A3E'
const OTHER = `0:${'B'.repeat(64)}`
const HASH = 'U0quRm916Jef4tJh/vgLd64knzTm4beGqn9Pjpuy2DY='

function rejects(options: unknown, code: 'InvalidSubscription' | 'InvalidArgument', message: RegExp) {
  try {
    resolveTonSubscription(options as TonSubscriptionOptions)
  } catch (error) {
    expect(isChainstreamError(error, code), String(error)).toBe(true)
    expect((error as Error).message).toMatch(message)
    return
  }
  throw new Error(`accepted: ${JSON.stringify(options)}`)
}

describe('TON subscriptions', () => {
  it('maps camelCase options onto the snake_case wire body, with addresses normalised and deduplicated', () => {
    const subscription = resolveTonSubscription({
      types: ['transactions', 'actions', 'account_state_change', 'jettons_change', 'actions'],
      addresses: [FRIENDLY, NON_BOUNCEABLE, RAW.toLowerCase(), OTHER],
      minFinality: 'pending',
      includeAddressBook: true,
      includeMetadata: true,
      actionTypes: ['jetton_transfer', 'some_future_type'],
      supportedActionTypes: ['v4'],
    })
    expect(toWireSubscription(subscription)).toEqual({
      types: ['transactions', 'actions', 'account_state_change', 'jettons_change'],
      addresses: [RAW, OTHER],
      min_finality: 'pending',
      include_address_book: true,
      include_metadata: true,
      action_types: ['jetton_transfer', 'some_future_type'],
      supported_action_types: ['v4'],
    })
  })

  it('fills in the defaults and always sends min_finality and the include flags explicitly', () => {
    const wire = toWireSubscription(resolveTonSubscription({ types: ['transactions'], addresses: [RAW] }))
    expect(wire).toEqual({
      types: ['transactions'],
      addresses: [RAW],
      min_finality: 'finalized',
      include_address_book: false,
      include_metadata: false,
    })
  })

  it('sends trace hashes for trace subscriptions, canonicalising hex and url-safe forms', () => {
    const hex = Buffer.from(HASH, 'base64').toString('hex')
    const urlSafe = Buffer.from(HASH, 'base64').toString('base64url')
    const subscription = resolveTonSubscription({
      types: ['trace'],
      traceExternalHashNorms: [HASH, hex, urlSafe],
    })
    expect(toWireSubscription(subscription)).toEqual({
      types: ['trace'],
      trace_external_hash_norms: [HASH],
      min_finality: 'finalized',
      include_address_book: false,
      include_metadata: false,
    })
    expect(normalizeTraceHash(urlSafe)).toBe(HASH)
  })

  it('requires types', () => {
    rejects({ addresses: [RAW] }, 'InvalidSubscription', /types is required/)
    rejects({ types: [], addresses: [RAW] }, 'InvalidSubscription', /types is required/)
  })

  it('refuses trace_invalidated in types, saying it is always delivered', () => {
    rejects(
      { types: ['transactions', 'trace_invalidated'], addresses: [RAW] },
      'InvalidSubscription',
      /'trace_invalidated' must not be listed in types.*always delivered/,
    )
  })

  it('refuses unknown event types', () => {
    rejects({ types: ['blocks'], addresses: [RAW] }, 'InvalidSubscription', /Unknown event type "blocks"/)
  })

  it('requires addresses for every type except trace', () => {
    rejects({ types: ['transactions'] }, 'InvalidSubscription', /addresses is required for transactions/)
    rejects(
      { types: ['trace', 'jettons_change'], traceExternalHashNorms: [HASH] },
      'InvalidSubscription',
      /addresses is required for jettons_change/,
    )
  })

  it('requires trace hashes iff trace is asked', () => {
    rejects({ types: ['trace'] }, 'InvalidSubscription', /needs traceExternalHashNorms/)
    rejects(
      { types: ['transactions'], addresses: [RAW], traceExternalHashNorms: [HASH] },
      'InvalidSubscription',
      /traceExternalHashNorms requires 'trace'/,
    )
  })

  it('refuses empty strings and invalid addresses or hashes before any request', () => {
    rejects({ types: ['transactions'], addresses: [''] }, 'InvalidArgument', /Invalid TON address "": empty/)
    rejects(
      { types: ['transactions'], addresses: ['not-an-address'] },
      'InvalidArgument',
      /Invalid TON address "not-an-address"/,
    )
    rejects(
      { types: ['trace'], traceExternalHashNorms: [''] },
      'InvalidArgument',
      /traceExternalHashNorms\[0\] is an empty string/,
    )
    rejects(
      { types: ['trace'], traceExternalHashNorms: ['abc'] },
      'InvalidArgument',
      /Invalid trace hash "abc"/,
    )
    rejects(
      { types: ['actions'], addresses: [RAW], actionTypes: [''] },
      'InvalidArgument',
      /actionTypes.0: an action type is empty/,
    )
  })

  it('refuses unknown min_finality values and malformed options', () => {
    rejects(
      { types: ['transactions'], addresses: [RAW], minFinality: 'safe' },
      'InvalidArgument',
      /minFinality/,
    )
    rejects({ types: 'transactions', addresses: [RAW] }, 'InvalidArgument', /types/)
    rejects({ types: ['transactions'], addresses: [RAW], extra: 1 }, 'InvalidArgument', /extra/)
  })

  it('replaces the given fields on update and validates the result', () => {
    const current = resolveTonSubscription({
      types: ['transactions'],
      addresses: [RAW],
      minFinality: 'confirmed',
    })
    const next = applySubscriptionChange(current, { addresses: [OTHER], actionTypes: ['ton_transfer'] })
    expect(next).toMatchObject({
      addresses: [OTHER],
      minFinality: 'confirmed',
      actionTypes: ['ton_transfer'],
    })
    expect(() => applySubscriptionChange(current, { addresses: [] })).toThrow(/addresses is required/)
    expect(() => applySubscriptionChange(current, { types: ['trace'] })).toThrow(
      /needs traceExternalHashNorms/,
    )
  })

  it('removes addresses and hashes on unsubscribe and leaves idle types out of the wire body', () => {
    const current = resolveTonSubscription({
      types: ['transactions', 'trace'],
      addresses: [RAW, OTHER],
      traceExternalHashNorms: [HASH],
    })
    const fewer = removeFromSubscription(current, { addresses: [FRIENDLY] })
    expect(fewer.addresses).toEqual([OTHER])
    const noTraces = removeFromSubscription(fewer, { traceExternalHashNorms: [HASH] })
    expect(toWireSubscription(noTraces)).toMatchObject({ types: ['transactions'], addresses: [OTHER] })
    expect(toWireSubscription(noTraces).trace_external_hash_norms).toBeUndefined()
    expect(isIdleSubscription(noTraces)).toBe(false)
    expect(isIdleSubscription(removeFromSubscription(noTraces, { addresses: [OTHER] }))).toBe(true)
    expect(() => removeFromSubscription(current, {})).toThrow(
      /unsubscribe needs addresses or traceExternalHashNorms/,
    )
  })

  it('knows when a WebSocket update needs a reconnect (clearing action_types)', () => {
    const filtered = resolveTonSubscription({
      types: ['actions'],
      addresses: [RAW],
      actionTypes: ['ton_transfer'],
    })
    const cleared = applySubscriptionChange(filtered, { actionTypes: [] })
    expect(needsReconnectToApply(filtered, cleared)).toBe(true)
    expect(
      needsReconnectToApply(filtered, applySubscriptionChange(filtered, { actionTypes: ['nft_mint'] })),
    ).toBe(false)
    expect(
      needsReconnectToApply(filtered, applySubscriptionChange(filtered, { minFinality: 'pending' })),
    ).toBe(false)
  })
})
