import { readFileSync } from 'node:fs'
import { createSseParser, type Decoded, type SseMessage } from '@chainstream/core/provider'
import { createSseServer, type SseServer } from '@chainstream/testkit'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { createVenum } from './create-venum.js'
import { decodeVenumEvent } from './decode-frame.js'
import { isSolanaSignature } from './signature.js'
import { SignatureState } from './signature-state.js'
import { parseTxStatus } from './tx-status.js'
import type { VenumFrame } from './venum-frame.js'
import { FAST_RECONNECT, record } from './venum-test-kit.test-helper.js'

const fixture = (name: string) => readFileSync(new URL(`./test-fixtures/${name}`, import.meta.url), 'utf8')
const json = (name: string) => JSON.parse(fixture(name)) as Record<string, unknown>
const SESSION = fixture('stream-tx-session.txt')
const SIGNATURE = '5VERv8NMvzbJMEkV8xnrLkEaWRtSz9CosKDYjCJjBRnbJLgp8uirBgmQpjKhoR4tjF3ZpRzrFmBV6UjKdiSZkQUW'

/** Parses SSE bytes cut at the given offsets and decodes every event. */
function decodeChunks(bytes: Uint8Array, cuts: number[]): Decoded<VenumFrame>[] {
  const out: Decoded<VenumFrame>[] = []
  const parser = createSseParser({ onEvent: (message: SseMessage) => out.push(decodeVenumEvent(message)) })
  let start = 0
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
    parser.feed(bytes.subarray(start, cut))
    start = cut
  }
  parser.feed(bytes.subarray(start))
  parser.end()
  return out
}

describe('the recorded fixtures', () => {
  it('decodes the stream session: ready, tx landed, heartbeat, tx confirmed — under any chunking', () => {
    const bytes = new TextEncoder().encode(SESSION)
    const expected = decodeChunks(bytes, [])
    expect(expected.map((d) => d.kind)).toEqual(['subscribed', 'event', 'heartbeat', 'event'])
    expect(expected[0]).toEqual({ kind: 'subscribed', data: { ts: 1763800000000, signatures: [SIGNATURE] } })
    expect(expected[1]).toEqual({
      kind: 'event',
      event: {
        kind: 'tx',
        signature: SIGNATURE,
        status: 'landed',
        slot: 411007598,
        ts: 1763800000110,
        data: { signature: SIGNATURE, status: 'landed', slot: 411007598, ts: 1763800000110 },
      },
    })
    expect(expected[3]).toMatchObject({ event: { status: 'confirmed', slot: 411007599 } })
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: bytes.length }), { maxLength: 12 }), (cuts) => {
        expect(decodeChunks(bytes, cuts)).toEqual(expected)
      }),
    )
    // The same bytes with CRLF line ends (the first-party SDK's parser cannot read these).
    expect(decodeChunks(new TextEncoder().encode(SESSION.replaceAll('\n', '\r\n')), [7, 100])).toEqual(
      expected,
    )
  })

  it('folds the session into updates: landed (pending), then confirmed (success)', () => {
    const state = new SignatureState(SIGNATURE, {
      events: new Set(['landed', 'processed', 'confirmed', 'finalized']),
      target: 'finalized',
      startedAt: 0,
    })
    const updates = decodeChunks(new TextEncoder().encode(SESSION), [])
      .filter((d): d is { kind: 'event'; event: VenumFrame } => d.kind === 'event')
      .map((d) => state.receive(d.event, 0, () => {}))
    expect(updates).toEqual([
      expect.objectContaining({
        status: 'landed',
        tier: 'pending',
        outcome: 'unknown',
        slot: 411007598,
        done: false,
      }),
      expect.objectContaining({
        status: 'confirmed',
        tier: 'confirmed',
        outcome: 'success',
        slot: 411007599,
      }),
    ])
  })

  it('decodes the REST bodies: finalized, failed (at confirmed, with its error) and not_found', () => {
    for (const name of ['tx-status-finalized.json', 'tx-status-failed.json', 'tx-status-not-found.json']) {
      expect(isSolanaSignature(json(name).signature)).toBe(true)
    }
    expect(parseTxStatus(json('tx-status-finalized.json'), SIGNATURE)).toEqual({
      signature: SIGNATURE,
      status: 'finalized',
      confirmationStatus: 'finalized',
      slot: 411007599,
      confirmations: null,
      fee: 5000,
      computeUnits: 1400,
      tier: 'finalized',
      outcome: 'success',
    })
    expect(parseTxStatus(json('tx-status-failed.json'), 'x')).toMatchObject({
      status: 'failed',
      confirmationStatus: 'confirmed',
      error: 'InstructionError: [0, Custom(6001)]',
      confirmations: 3,
      computeUnits: 20431,
      tier: 'confirmed',
      outcome: 'failure',
    })
    expect(parseTxStatus(json('tx-status-not-found.json'), 'x')).toMatchObject({
      status: 'not_found',
      tier: 'unknown',
      outcome: 'unknown',
    })
    expect(() => parseTxStatus({ signature: 'x' }, 'x')).toThrow(/no string "status"/)
    expect(() => parseTxStatus(null, 'x')).toThrow(/for x is not an object/)
    expect(() => parseTxStatus({ status: 'finalized', slot: '5' }, 'x')).toThrow(
      /has a "slot" that is not a number/,
    )
    expect(() => parseTxStatus({ status: 'finalized', fee: Number.NaN }, 'x')).toThrow(
      /"fee" that is not a number/,
    )
    expect(() => parseTxStatus({ status: 'failed', signature: 7 }, 'x')).toThrow(
      /"signature" that is not a string/,
    )
    // Lenient: null where a field is optional, and fields chainstream does not read, are accepted.
    expect(parseTxStatus({ status: 'not_found', slot: null, reason: null, extra: [1] }, 'x')).toMatchObject({
      signature: 'x',
      status: 'not_found',
    })
  })

  it('folds a failed REST body into one failed update, never a success tier', () => {
    const body = parseTxStatus(json('tx-status-failed.json'), 'x')
    const state = new SignatureState('x', {
      events: new Set(['landed', 'confirmed']),
      target: 'confirmed',
      startedAt: 0,
    })
    const frame: VenumFrame = { kind: 'lookup', signature: 'x', body, source: 'snapshot' }
    expect(state.receive(frame, 0, () => {})).toEqual(
      expect.objectContaining({
        status: 'failed',
        outcome: 'failure',
        err: 'InstructionError: [0, Custom(6001)]',
        source: 'snapshot',
        done: true,
      }),
    )
  })
})

describe('the fixtures over a real server', () => {
  let server: SseServer
  afterEach(async () => {
    await server.close()
  })

  it('replays the session; the stream ending early is a drop, and the snapshot finishes the signature', async () => {
    server = await createSseServer()
    server.handle(async (conn) => {
      if (conn.request.url.startsWith('/v1/stream/tx')) {
        conn.open()
        conn.send(SESSION)
        await conn.end()
      } else {
        await conn.respond(200, json('tx-status-finalized.json'))
      }
    })
    const venum = createVenum({ apiKey: 'fixture-key', baseUrl: server.url, reconnect: FAST_RECONNECT })
    const watch = venum.watch({ signatures: [SIGNATURE] })
    const seen = record(watch)
    expect(await watch.closed).toBeUndefined()
    expect(seen.updates.map((u) => [u.status, u.source])).toEqual([
      ['landed', 'stream'],
      ['confirmed', 'stream'],
      ['finalized', 'snapshot'],
    ])
    expect(seen.updates.at(-1)?.done).toBe(true)
  })
})
