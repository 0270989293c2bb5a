import { afterEach, describe, expect, it } from 'vitest'
import { connectWs, openSse, sleep, type WsClient } from './test-clients.test-helper.js'
import { createTonSimulator, type TonSimulator } from './ton-simulator.js'

let sim: TonSimulator | undefined
const clients: WsClient[] = []
afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate()
  await sim?.close()
  sim = undefined
})

const start = async () => {
  sim = await createTonSimulator({ keys: { k: { maxConnections: 10 } }, lingerMs: 0 })
  return sim
}

const ws = async (s: TonSimulator, subscription: Record<string, unknown>) => {
  const client = await connectWs(s.toncenter.wsUrl, { 'x-api-key': 'k' })
  clients.push(client)
  await client.request({ operation: 'subscribe', id: 's', ...subscription })
  return client
}

const invalidations = (client: WsClient) => client.messages.filter((m) => m.type === 'trace_invalidated')

describe('TON simulator — invalidation bookkeeping', () => {
  it('sends trace_invalidated only to connections that received a non-finalized snapshot', async () => {
    const s = await start()
    const [a, b] = s.addresses as [string, string]
    const sawPending = await ws(s, { types: ['transactions'], addresses: [a], min_finality: 'pending' })
    const finalizedOnly = await ws(s, { types: ['transactions'], addresses: [a] })
    const otherAccount = await ws(s, {
      types: ['transactions'],
      addresses: [`0:${'9'.repeat(64)}`],
      min_finality: 'pending',
    })
    const trace = s.emitTrace({ addresses: [a, b], stages: ['pending', 'confirmed', 'invalidated'] })
    await trace.advance()
    await trace.advance()
    const late = await ws(s, { types: ['transactions'], addresses: [a], min_finality: 'pending' })
    await trace.advance()
    await sawPending.next((m) => m.type === 'trace_invalidated')
    await sleep(20)
    expect(invalidations(sawPending)).toEqual([
      { type: 'trace_invalidated', trace_external_hash_norm: trace.traceExternalHashNorm },
    ])
    expect(invalidations(finalizedOnly)).toEqual([])
    expect(invalidations(otherAccount)).toEqual([])
    expect(invalidations(late)).toEqual([])
  })

  it('still tells a connection that has since unsubscribed, and never a new connection after a reconnect', async () => {
    const s = await start()
    const [a, b] = s.addresses as [string, string]
    const first = await openSse(
      s.toncenter.sseUrl,
      { types: ['actions'], addresses: [a], min_finality: 'pending' },
      { 'x-api-key': 'k' },
    )
    const unsubscribing = await ws(s, { types: ['actions'], addresses: [a], min_finality: 'pending' })
    const trace = s.emitTrace({ addresses: [a, b], stages: ['pending', 'invalidated'] })
    await trace.advance()
    await first.waitFor((data) => data.some((d) => d.type === 'actions'))
    await unsubscribing.request({ operation: 'unsubscribe', id: 'u', addresses: [a] })
    // The client "reconnects": the old stream is gone, a new one subscribes to the same things.
    first.close()
    const second = await openSse(
      s.toncenter.sseUrl,
      { types: ['actions'], addresses: [a], min_finality: 'pending' },
      { 'x-api-key': 'k' },
    )
    await trace.advance()
    await unsubscribing.next((m) => m.type === 'trace_invalidated')
    await sleep(20)
    expect(second.data.filter((d) => d.type === 'trace_invalidated')).toEqual([])
    expect(s.ledger.trace(trace.traceExternalHashNorm)?.status).toBe('invalidated')
    second.close()
  })

  it('forgets a trace once a finalized snapshot was delivered', async () => {
    const s = await start()
    const [a, b] = s.addresses as [string, string]
    const client = await ws(s, { types: ['transactions'], addresses: [a], min_finality: 'pending' })
    const session = s.sessions[0]
    const trace = s.emitTrace({ addresses: [a, b] })
    await trace.advance()
    expect(session?.invalidationCandidates).toEqual([trace.traceExternalHashNorm])
    await trace.finish()
    expect(session?.invalidationCandidates).toEqual([])
    // The real server never invalidates after finalized; even an injected one is not delivered.
    await s.broadcast({ type: 'trace_invalidated', trace_external_hash_norm: trace.traceExternalHashNorm })
    await sleep(20)
    expect(invalidations(client)).toEqual([])
  })

  it('trace subscriptions are by hash, not by address, and count for invalidation too', async () => {
    const s = await start()
    const [a, b] = s.addresses as [string, string]
    const trace = s.emitTrace({
      addresses: [a, b],
      stages: ['pending', 'invalidated'],
      actionTypes: ['jetton_transfer'],
    })
    const client = await ws(s, {
      types: ['trace'],
      trace_external_hash_norms: [trace.traceExternalHashNorm],
      min_finality: 'pending',
    })
    await trace.advance()
    const snapshot = await client.next((m) => m.type === 'trace')
    expect(snapshot.finality).toBe('pending')
    const tree = snapshot.trace as { tx_hash: string; children: unknown[] }
    expect(Object.keys(snapshot.transactions as object)).toContain(tree.tx_hash)
    expect((snapshot.actions as { type: string; trace_id: unknown }[])[0]).toMatchObject({
      type: 'jetton_transfer',
      trace_id: null,
    })
    await trace.advance()
    await client.next((m) => m.type === 'trace_invalidated')
  })
})
