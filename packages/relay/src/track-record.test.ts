import type { LifecycleUpdate } from '@chainstream/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { mergeRecords, observationsOf, recordFromUpdate, type TrackRecord } from './track-record.js'

const TIERS = ['pending', 'included', 'confirmed', 'finalized'] as const
const rank = (tier: string) => ['unknown', ...TIERS].indexOf(tier)

function record(tier: (typeof TIERS)[number], extra: Partial<TrackRecord> = {}): TrackRecord {
  const tierReachedAt: Record<string, number> = {}
  const statuses: Record<string, string> = {}
  for (const t of TIERS.slice(0, TIERS.indexOf(tier) + 1)) {
    tierReachedAt[t] = 1_000 + rank(t)
    statuses[t] = t
  }
  return {
    chain: 'solana',
    id: 'sig',
    tier,
    outcome: 'success',
    tierReachedAt,
    statuses,
    updatedAt: 2_000,
    ...extra,
  }
}

describe('track records', () => {
  it('merge: tiers never go down and the first terminal is the only one, in any order of writes', () => {
    const candidates = [
      record('pending'),
      record('confirmed'),
      record('finalized', { terminal: 'finalized' }),
      record('confirmed', { terminal: 'failed', outcome: 'failure', reason: 'InstructionError' }),
      record('confirmed', { terminal: 'invalidated' }),
    ]
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...candidates), { minLength: 1, maxLength: 8 }), (writes) => {
        let stored: TrackRecord | undefined
        const history: TrackRecord[] = []
        for (const write of writes) {
          const merged = mergeRecords(stored, write)
          if (merged) {
            if (stored) expect(rank(merged.tier)).toBeGreaterThanOrEqual(rank(stored.tier))
            if (stored?.terminal) throw new Error('a terminal record changed')
            stored = merged
            history.push(merged)
          }
        }
        const terminals = history.filter((entry) => entry.terminal !== undefined)
        expect(terminals.length).toBeLessThanOrEqual(1)
        expect(terminals[0]?.terminal).toBe(writes.find((write) => write.terminal !== undefined)?.terminal)
      }),
    )
  })

  it('keeps the reach time first recorded', () => {
    const first = record('pending')
    const later = { ...record('confirmed'), tierReachedAt: { pending: 500, confirmed: 3_000 } }
    expect(mergeRecords(first, later)?.tierReachedAt).toEqual({ pending: 1_001, confirmed: 3_000 })
  })

  it('replays observed tiers at their times, then the terminal; skipped tiers are left to the machine', () => {
    const ton: TrackRecord = {
      chain: 'ton',
      id: 'trace',
      tier: 'confirmed',
      outcome: 'success',
      terminal: 'invalidated',
      terminalStatus: 'trace_invalidated',
      tierReachedAt: { pending: 10, included: 20, confirmed: 20 },
      statuses: { pending: 'pending', confirmed: 'confirmed' },
      updatedAt: 30,
    }
    expect(observationsOf(ton).map((o) => [o.kind, 'tier' in o ? o.tier : undefined, o.at])).toEqual([
      ['tier', 'pending', 10],
      ['tier', 'confirmed', 20],
      ['invalidated', undefined, 30],
    ])
    const failedAtFinalized = record('finalized', { terminal: 'failed', outcome: 'failure' })
    const kinds = observationsOf(failedAtFinalized).map((o) => o.kind)
    expect(kinds.at(-1)).toBe('failed')
    expect(observationsOf(failedAtFinalized).some((o) => o.kind === 'tier' && o.tier === 'finalized')).toBe(
      false,
    )
  })

  it('reads a tracker update: terminal kind, status and expiry evidence', () => {
    const update = {
      id: 'sig',
      chain: 'solana',
      tier: 'pending',
      outcome: 'unknown',
      terminal: {
        kind: 'expired',
        at: 50,
        providerStatus: 'expired',
        source: 'poll',
        evidence: 'height passed',
        notFoundAt: 45,
      },
      watch: 'reached',
      target: 'finalized',
      at: 50,
      elapsedMs: 40,
      tierReachedAt: { pending: 10 },
    } as unknown as LifecycleUpdate
    expect(recordFromUpdate(update)).toMatchObject({
      terminal: 'expired',
      terminalStatus: 'expired',
      reason: 'height passed',
      notFoundAt: 45,
      updatedAt: 50,
    })
  })
})
