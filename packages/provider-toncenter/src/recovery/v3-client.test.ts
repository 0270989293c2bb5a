import { isChainstreamError } from '@chainstream/core'
import { afterEach, describe, expect, it } from 'vitest'
import { simulatorHarness } from '../simulator.test-helper.js'
import { createV3Client } from './v3-client.js'

const harness = simulatorHarness()
afterEach(() => harness.cleanup())

/** A client of a fresh simulator, which has one finalized trace. */
async function clientAndFinalizedTrace() {
  const sim = await harness.start()
  const client = createV3Client({ baseUrl: sim.toncenter.v3BaseUrl })
  const signal = new AbortController().signal
  const [a, b] = sim.addresses as [string, string]
  const trace = sim.emitTrace({ addresses: [a, b], stages: ['finalized'] })
  await trace.finish()
  return { sim, client, signal, trace }
}

describe('createV3Client', () => {
  it('returns what the simulator answers, and refuses an answer recovery could not read', async () => {
    const sim = await harness.start()
    const client = createV3Client({ baseUrl: sim.toncenter.v3BaseUrl })
    const signal = new AbortController().signal
    expect(await client.traces({ limit: 1 }, signal)).toEqual(expect.any(Array))
    sim.failNext({
      status: 200,
      on: 'v3',
      body: { traces: [{ trace_id: 't', transactions: { h: { account: '0:AB', hash: 'h', lt: 7 } } }] },
    })
    const error = await client.traces({ limit: 1 }, signal).catch((caught: unknown) => caught)
    expect(isChainstreamError(error, 'ProtocolError')).toBe(true)
    expect((error as Error).message).toBe(
      'Unexpected answer from API v3 /traces: traces.0.transactions.h.lt: expected a string',
    )
    sim.failNext({ status: 200, on: 'v3', body: '[]' })
    await expect(client.transactions({ limit: 1 }, signal)).rejects.toThrow(
      'Unexpected answer from API v3 /transactions: expected an object',
    )
  })

  it('reads the chain time of the latest masterchain block', async () => {
    const { sim, client, signal, trace } = await clientAndFinalizedTrace()
    // The simulator's chain starts at 1785480000; the indexer follows the trace at real speed.
    const utime = await client.chainTime(signal)
    expect(Number.isInteger(utime)).toBe(true)
    expect(utime).toBeGreaterThanOrEqual(1_785_480_000)
    expect(utime).toBeLessThanOrEqual(trace.transactions[0]?.now as number)
    sim.failNext({ status: 200, on: 'v3', body: { last: { seqno: 1, gen_utime: 'soon' } } })
    await expect(client.chainTime(signal)).rejects.toThrow(
      'Unexpected answer from API v3 /masterchainInfo: last.gen_utime: expected unix seconds',
    )
  })

  it('reads the last masterchain block at or before a chain time', async () => {
    const { sim, client, signal, trace } = await clientAndFinalizedTrace()
    const [found] = await client.traces({ trace_id: trace.traceId }, signal)
    const block = Number(found?.mc_seqno_end)
    const late = 2_000_000_000
    expect(await client.lastBlockAt(late, signal)).toBe(block)
    expect(await client.lastBlockAt(1_785_479_000, signal)).toBeUndefined()
    sim.failNext({ status: 200, on: 'v3', body: { blocks: [{ seqno: '7' }] } })
    await expect(client.lastBlockAt(late, signal)).rejects.toThrow(
      'Unexpected answer from API v3 /blocks: blocks.0.seqno: expected a whole number',
    )
  })

  it('answers undefined (the clock) and null (blocks) when the deployment has no such endpoint', async () => {
    const sim = await harness.start({ apiV3Without: ['masterchainInfo', 'blocks'] })
    const client = createV3Client({ baseUrl: sim.toncenter.v3BaseUrl })
    const signal = new AbortController().signal
    expect(await client.chainTime(signal)).toBeUndefined()
    expect(await client.lastBlockAt(2_000_000_000, signal)).toBeNull()
    // A failure of the moment is not a missing endpoint: it is thrown, and the baseline taken again.
    sim.failNext({ status: 503, on: 'v3', times: 10 })
    await expect(client.lastBlockAt(2_000_000_000, signal)).rejects.toMatchObject({ status: 503 })
  })
})
