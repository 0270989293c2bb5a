import type { LifecycleUpdate } from '@chainstream/core'
import type { VenumUpdate } from '@chainstream/provider-venum-solana'
import type { TonLedger, TonLedgerTrace, VenumSimulator } from '@chainstream/testkit'
import { describe, expect, it } from 'vitest'
import { SignatureChain } from '../src/harness/venum-chain.js'
import type { Settled } from '../src/harness/wait.js'
import { TonDeliveryLog } from '../src/oracle/ton-deliveries.js'
import { checkTonStream } from '../src/oracle/ton-stream-oracle.js'
import { checkTracks, type TrackRecord } from '../src/oracle/tracker-oracle.js'
import { checkVenumUpdates, checkVenumWaits } from '../src/oracle/venum-oracle.js'
import { Violations } from '../src/oracle/violation.js'

// The oracles judge every seed; these pin down what they call a violation, on hand-made ledgers.

const ME = '0:AA'
const OTHER = '0:BB'

function ledger(traces: { hash: string; stages: string[]; accounts?: string[] }[]): TonLedger {
  const events: { seq: number; at: number; notification: Record<string, unknown> }[] = []
  for (const trace of traces) {
    for (const stage of trace.stages) {
      const push = (notification: Record<string, unknown>) =>
        events.push({ seq: events.length + 1, at: 0, notification })
      if (stage === 'invalidated') {
        push({ type: 'trace_invalidated', trace_external_hash_norm: trace.hash })
        continue
      }
      const accounts = trace.accounts ?? [ME]
      push({
        type: 'transactions',
        finality: stage,
        trace_external_hash_norm: trace.hash,
        transactions: accounts.map((account) => ({ account })),
      })
      push({
        type: 'actions',
        finality: stage,
        trace_external_hash_norm: trace.hash,
        actions: [{ accounts }],
      })
    }
  }
  const byHash = new Map(
    traces.map((t) => {
      const last = t.stages.at(-1) ?? 'planned'
      const finality = [...t.stages].reverse().find((s) => s !== 'invalidated')
      return [
        t.hash,
        {
          status: last,
          stages: t.stages,
          finality,
          accounts: [ME],
          actionTypes: ['ton_transfer'],
        } as unknown as TonLedgerTrace,
      ]
    }),
  )
  return {
    events,
    traces: [...byHash.values()],
    trace: (hash: string) => byHash.get(hash),
    mark: () => events.length,
    since: (mark: number) => events.slice(mark),
    transactions: () => [],
    actions: () => [],
  } as unknown as TonLedger
}

function delivered(list: [string, string, string, string?][]): TonDeliveryLog {
  const log = new TonDeliveryLog()
  for (const [type, hash, finality, source] of list) {
    log.add(
      type === 'trace_invalidated'
        ? { type, trace_external_hash_norm: hash, source: source ?? 'stream' }
        : { type, trace_external_hash_norm: hash, finality, source: source ?? 'stream' },
    )
  }
  return log
}

function check(l: TonLedger, log: TonDeliveryLog, minFinality = 'pending', mark = 0) {
  const violations = new Violations()
  checkTonStream({ ledger: l, mark, subscribed: new Set([ME]), minFinality }, log.list, violations)
  return violations.list.map((v) => v.invariant)
}

describe('TON stream oracle', () => {
  const one = ledger([{ hash: 'h1', stages: ['pending', 'confirmed', 'finalized'] }])

  it('passes a faithful delivery', () => {
    const log = delivered([
      ['transactions', 'h1', 'pending'],
      ['actions', 'h1', 'pending'],
      ['transactions', 'h1', 'finalized', 'backfill'],
      ['actions', 'h1', 'finalized'],
    ])
    expect(check(one, log)).toEqual([])
  })

  it('finds a finalized notification never delivered', () => {
    expect(check(one, delivered([['transactions', 'h1', 'finalized']]))).toEqual(['lost'])
  })

  it('expects nothing from before the mark, nor of accounts not subscribed', () => {
    const l = ledger([
      { hash: 'h1', stages: ['finalized'] },
      { hash: 'h2', stages: ['finalized'], accounts: [OTHER] },
    ])
    expect(check(l, delivered([]), 'pending', 2)).toEqual([])
  })

  it('finds duplicates, regressions and phantoms', () => {
    const log = delivered([
      ['transactions', 'h1', 'finalized'],
      ['transactions', 'h1', 'finalized', 'backfill'],
      ['actions', 'h1', 'finalized'],
      ['actions', 'h1', 'confirmed', 'snapshot'],
    ])
    expect(check(one, log)).toEqual(['duplicate', 'regression'])
    const confirmedOnly = ledger([{ hash: 'h3', stages: ['pending', 'confirmed'] }])
    expect(check(confirmedOnly, delivered([['transactions', 'h3', 'finalized']]))).toEqual(['phantom'])
    expect(check(one, delivered([['trace_invalidated', 'h1', '']])).sort()).toEqual([
      'lost',
      'lost',
      'phantom',
    ])
    expect(check(one, delivered([['transactions', 'h1', 'pending']]), 'confirmed')).toContain('phantom')
  })

  it('owes a trace_invalidated for a trace shown below finalized and then invalidated', () => {
    const l = ledger([{ hash: 'h4', stages: ['pending', 'invalidated'] }])
    expect(check(l, delivered([['transactions', 'h4', 'pending']]))).toEqual(['missed-invalidation'])
    expect(
      check(
        l,
        delivered([
          ['transactions', 'h4', 'pending'],
          ['trace_invalidated', 'h4', ''],
        ]),
      ),
    ).toEqual([])
    expect(
      check(
        l,
        delivered([
          ['trace_invalidated', 'h4', ''],
          ['actions', 'h4', 'pending'],
        ]),
      ),
    ).toEqual(['phantom'])
  })
})

/** A stand-in for the simulator: a SignatureChain only tells it what to do. */
const fakeSim = {
  advance: () => {},
  lifecycleOf: () => undefined,
  statusOf: () => undefined,
} as unknown as VenumSimulator

function chain(path: 'success' | 'failure', steps: number): SignatureChain {
  const c = new SignatureChain(`sig-${path}-${steps}`, path, fakeSim)
  for (let i = 0; i < steps; i++) c.advance()
  return c
}

const TIER: Record<string, VenumUpdate['tier']> = {
  landed: 'pending',
  processed: 'included',
  confirmed: 'confirmed',
  finalized: 'finalized',
  failed: 'pending',
}

function updates(signature: string, statuses: string[]): VenumUpdate[] {
  return statuses.map((status, i) => ({
    signature,
    status: status as VenumUpdate['status'],
    source: 'stream',
    tier: TIER[status] ?? 'pending',
    outcome: status === 'failed' ? 'failure' : status === 'landed' ? 'unknown' : 'success',
    done: i === statuses.length - 1,
  }))
}

function venumCheck(c: SignatureChain, statuses: string[]) {
  const violations = new Violations()
  checkVenumUpdates(
    new Map([[c.signature, c]]),
    new Map([[c.signature, updates(c.signature, statuses)]]),
    'finalized',
    violations,
  )
  return violations.list.map((v) => v.invariant)
}

describe('Venum oracle', () => {
  it('passes a faithful story, skipped tiers included', () => {
    expect(venumCheck(chain('success', 4), ['landed', 'confirmed', 'finalized'])).toEqual([])
    expect(venumCheck(chain('failure', 2), ['landed', 'failed'])).toEqual([])
  })

  it('finds repeats, regressions, phantoms, false successes and missing ends', () => {
    expect(venumCheck(chain('success', 4), ['confirmed', 'confirmed', 'finalized'])).toEqual(['duplicate'])
    expect(venumCheck(chain('success', 4), ['confirmed', 'processed', 'finalized'])).toEqual(['regression'])
    expect(venumCheck(chain('failure', 2), ['landed', 'processed', 'failed'])).toEqual([
      'phantom',
      'wrong-outcome',
      'regression',
    ])
    expect(venumCheck(chain('success', 4), ['landed', 'failed'])).toContain('wrong-outcome')
    expect(venumCheck(chain('success', 4), ['landed'])).toEqual(['wrong-outcome'])
    const open = updates('sig-success-4', ['landed', 'confirmed']).map((u) => ({ ...u, done: false }))
    const violations = new Violations()
    const c = chain('success', 4)
    checkVenumUpdates(new Map([[c.signature, c]]), new Map([[c.signature, open]]), 'finalized', violations)
    expect(violations.list.map((v) => v.invariant)).toEqual(['terminal-count'])
  })

  it('never lets an aborted wait resolve, nor a failed one', () => {
    const settled = (
      state: Settled<VenumUpdate>['state'],
      value?: VenumUpdate,
      order = 10,
    ): Settled<VenumUpdate> =>
      value ? { state, value, order } : { state, error: { code: 'Aborted' }, order }
    const good = chain('success', 4)
    const [landed] = updates(good.signature, ['landed'])
    const violations = new Violations()
    checkVenumWaits(
      [
        { chain: good, tier: 'landed', settled: settled('resolved', landed), abortedOrder: 5 },
        { chain: good, tier: 'landed', settled: settled('rejected'), abortedOrder: 5 },
        {
          chain: chain('failure', 2),
          tier: 'landed',
          settled: settled('resolved', { ...landed!, status: 'failed', outcome: 'failure' }),
        },
        { chain: good, tier: 'confirmed', settled: { state: 'pending' } },
      ],
      violations,
    )
    expect(violations.list.map((v) => v.invariant)).toEqual([
      'abort-resolved',
      'wrong-outcome',
      'terminal-count',
    ])
  })
})

function update(tier: LifecycleUpdate['tier'], extra: Partial<LifecycleUpdate> = {}): LifecycleUpdate {
  return {
    id: 'id',
    chain: 'ton',
    tier,
    outcome: 'success',
    watch: 'watching',
    target: 'finalized',
    at: 1,
    elapsedMs: 0,
    tierReachedAt: {},
    ...extra,
  }
}

function track(
  updates: LifecycleUpdate[],
  truth: Partial<ReturnType<TrackRecord['truth']>> = {},
  extra: Partial<TrackRecord> = {},
): TrackRecord {
  const terminal = updates.find((u) => u.terminal)
  return {
    chain: 'ton',
    id: 'trace-id',
    updates,
    updateOrders: updates.map((_, i) => i + 1),
    settled: terminal ? { state: 'resolved', value: terminal } : { state: 'pending' },
    reached: { state: 'resolved', value: updates[0] as LifecycleUpdate, order: 1 },
    reachedTier: 'confirmed',
    truth: () => ({
      highestTier: 'finalized',
      ending: 'finalized',
      failed: false,
      owedOnlyIfSeen: false,
      describe: '',
      ...truth,
    }),
    ...extra,
  }
}

function trackCheck(record: TrackRecord) {
  const violations = new Violations()
  checkTracks([record], violations)
  return violations.list.map((v) => v.invariant)
}

describe('tracker oracle', () => {
  const end = { kind: 'finalized' as const, at: 2, providerStatus: 'finalized', source: 'stream' as const }

  it('passes one terminal as the chain ended', () => {
    expect(trackCheck(track([update('confirmed'), update('finalized', { terminal: end })]))).toEqual([])
  })

  it('finds a repeated update', () => {
    expect(
      trackCheck(track([update('confirmed'), update('confirmed'), update('finalized', { terminal: end })])),
    ).toEqual(['duplicate'])
  })

  it('finds a missing terminal, two terminals, a regression and a success for a failure', () => {
    expect(trackCheck(track([update('confirmed')]))).toEqual(['terminal-count'])
    expect(
      trackCheck(track([update('finalized', { terminal: end }), update('finalized', { terminal: end })])),
    ).toContain('terminal-count')
    expect(
      trackCheck(track([update('confirmed'), update('pending'), update('finalized', { terminal: end })])),
    ).toEqual(['regression'])
    expect(trackCheck(track([update('finalized', { terminal: end })], { failed: true }))).toContain(
      'wrong-outcome',
    )
  })

  it('owes no terminal for a trace retracted before the consumer saw it, and counts an abort as the end', () => {
    expect(
      trackCheck(
        track(
          [],
          { ending: 'invalidated', owedOnlyIfSeen: true, highestTier: 'pending' },
          { reached: { state: 'pending' } },
        ),
      ),
    ).toEqual([])
    const aborted = update('pending', { watch: 'aborted' })
    expect(
      trackCheck(
        track(
          [aborted],
          {},
          {
            abortedOrder: 0,
            settled: { state: 'rejected' },
            reached: { state: 'rejected', error: { code: 'Aborted' } },
          },
        ),
      ),
    ).toEqual([])
    expect(
      trackCheck(
        track(
          [aborted],
          {},
          {
            abortedOrder: 0,
            settled: { state: 'rejected' },
            reached: { state: 'resolved', value: aborted, order: 5 },
          },
        ),
      ),
    ).toContain('abort-resolved')
  })
})
