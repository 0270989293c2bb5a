import { describe, expect, it } from 'vitest'
import { Prng } from '../src/prng.js'
import { describeSchedule, scheduleFor } from '../src/schedule.js'
import { REGRESSIONS } from './regression-seeds.js'

describe('seeds and schedules', () => {
  it('gives the same numbers for the same seed, different ones for another', () => {
    const draw = (seed: number) => {
      const prng = new Prng(seed)
      return Array.from({ length: 8 }, () => prng.next())
    }
    expect(draw(42)).toEqual(draw(42))
    expect(draw(42)).not.toEqual(draw(43))
    expect(new Prng(7).fork('faults').next()).toBe(new Prng(7).fork('faults').next())
    expect(new Prng(7).fork('faults').next()).not.toBe(new Prng(7).fork('venum').next())
  })

  it('keeps draws in range', () => {
    const prng = new Prng(1)
    for (let i = 0; i < 1_000; i++) {
      const n = prng.int(3, 5)
      expect(n).toBeGreaterThanOrEqual(3)
      expect(n).toBeLessThanOrEqual(5)
      expect(prng.next()).toBeLessThan(1)
    }
  })

  it('starts a fifth of the TON stream seeds with API v3 down, and no regression seed named before that', () => {
    const ton = Array.from({ length: 2_000 }, (_, i) => scheduleFor(i + 1)).filter(
      (s) => s.scenario === 'ton-stream',
    )
    const down = ton.filter((s) => s.scenario === 'ton-stream' && s.v3Outage !== undefined)
    expect(down.length / ton.length).toBeGreaterThan(0.15)
    expect(down.length / ton.length).toBeLessThan(0.25)
    for (const s of down) {
      if (s.scenario !== 'ton-stream' || !s.v3Outage) continue
      expect([429, 502, 503]).toContain(s.v3Outage.status)
      expect(s.v3Outage.ms).toBeGreaterThanOrEqual(1_200)
      expect(s.v3Outage.ms).toBeLessThanOrEqual(2_400)
    }
    // The seeds named before the outage was drawn keep their schedules; these were found with it.
    const named = REGRESSIONS.map(([seed]) => scheduleFor(seed))
    const withOutage = named.filter((s) => s.scenario === 'ton-stream' && s.v3Outage !== undefined)
    expect(withOutage.map((s) => s.seed)).toEqual([
      9, 40, 57, 160980, 160240, 162364, 162857, 164221, 170386, 180409, 184995, 220762,
    ])
  })

  it('opens a second consumer on the shared connection in a quarter of the TON stream seeds, and in no seed named before', () => {
    const ton = Array.from({ length: 2_000 }, (_, i) => scheduleFor(i + 1)).filter(
      (s) => s.scenario === 'ton-stream',
    )
    const joined = ton.filter((s) => s.scenario === 'ton-stream' && s.secondConsumer !== undefined)
    expect(joined.length / ton.length).toBeGreaterThan(0.2)
    expect(joined.length / ton.length).toBeLessThan(0.3)
    for (const s of joined) {
      if (s.scenario !== 'ton-stream' || !s.secondConsumer) continue
      expect(s.secondConsumer.tick).toBeGreaterThanOrEqual(1)
      expect(s.secondConsumer.tick).toBeLessThanOrEqual(s.ticks - 2)
      expect(describeSchedule(s)).toContain(`second-consumer@${s.secondConsumer.tick}`)
    }
    // The seeds named before the second consumer was drawn keep their schedules; these were found with it.
    const named = REGRESSIONS.map(([seed]) => scheduleFor(seed))
    const withSecond = named.filter((s) => s.scenario === 'ton-stream' && s.secondConsumer !== undefined)
    expect(withSecond.map((s) => s.seed)).toEqual([280302, 220762])
  })

  it("starts a tracker on the client's shared connection in a quarter of the TON stream seeds, and in no seed named before", () => {
    const ton = Array.from({ length: 2_000 }, (_, i) => scheduleFor(i + 1)).filter(
      (s) => s.scenario === 'ton-stream',
    )
    const tracking = ton.filter((s) => s.scenario === 'ton-stream' && s.sharedTracker !== undefined)
    expect(tracking.length / ton.length).toBeGreaterThan(0.2)
    expect(tracking.length / ton.length).toBeLessThan(0.3)
    for (const s of tracking) {
      if (s.scenario !== 'ton-stream' || !s.sharedTracker) continue
      expect(s.sharedTracker.tick).toBeGreaterThanOrEqual(0)
      expect(s.sharedTracker.tick).toBeLessThanOrEqual(s.ticks - 2)
      expect(s.sharedTracker.traces).toBeGreaterThanOrEqual(1)
      expect(s.sharedTracker.traces).toBeLessThanOrEqual(3)
      expect(describeSchedule(s)).toContain(`tracker@${s.sharedTracker.tick}×${s.sharedTracker.traces}`)
    }
    // The seeds named before the tracker was drawn keep their schedules; these were found with it.
    const named = REGRESSIONS.map(([seed]) => scheduleFor(seed))
    const withTracker = named.filter((s) => s.scenario === 'ton-stream' && s.sharedTracker !== undefined)
    expect(withTracker.map((s) => s.seed)).toEqual([9])
  })

  it('lets the followed wallets fall quiet before a wallet is added in about a third of the TON stream seeds that add one, and in no seed named before', () => {
    const adding = Array.from({ length: 3_000 }, (_, i) => scheduleFor(i + 1)).filter(
      (s) => s.scenario === 'ton-stream' && s.faults.some((f) => f.kind === 'subscription-change'),
    )
    const quiet = adding.filter((s) => s.scenario === 'ton-stream' && s.quietBeforeAdd !== undefined)
    expect(quiet.length / adding.length).toBeGreaterThan(0.28)
    expect(quiet.length / adding.length).toBeLessThan(0.42)
    for (const s of quiet) {
      if (s.scenario !== 'ton-stream' || s.quietBeforeAdd === undefined) continue
      expect(s.quietBeforeAdd).toBeGreaterThanOrEqual(2)
      expect(s.quietBeforeAdd).toBeLessThanOrEqual(4)
      expect(describeSchedule(s)).toContain(`quiet-before-add=${s.quietBeforeAdd}`)
    }
    // Only seeds that add a wallet get it.
    const all = Array.from({ length: 3_000 }, (_, i) => scheduleFor(i + 1))
    const strays = all.filter(
      (s) =>
        s.scenario === 'ton-stream' &&
        s.quietBeforeAdd !== undefined &&
        !s.faults.some((f) => f.kind === 'subscription-change'),
    )
    expect(strays).toEqual([])
    // The seeds named before it keep their schedules.
    const named = REGRESSIONS.map(([seed]) => scheduleFor(seed))
    expect(named.filter((s) => s.scenario === 'ton-stream' && s.quietBeforeAdd !== undefined)).toEqual([])
  })

  it('starts a tracker on the Venum client of a watch in about a third of the venum-watch seeds', () => {
    const venum = Array.from({ length: 2_000 }, (_, i) => scheduleFor(i + 1)).filter(
      (s) => s.scenario === 'venum-watch',
    )
    const tracking = venum.filter((s) => s.scenario === 'venum-watch' && s.sharedTracker !== undefined)
    expect(tracking.length / venum.length).toBeGreaterThan(0.25)
    expect(tracking.length / venum.length).toBeLessThan(0.35)
    for (const s of tracking) {
      if (s.scenario !== 'venum-watch' || !s.sharedTracker) continue
      expect(s.sharedTracker.tick).toBeLessThanOrEqual(s.ticks - 2)
      expect(s.sharedTracker.indices.length).toBeGreaterThanOrEqual(1)
      expect(new Set(s.sharedTracker.indices).size).toBe(s.sharedTracker.indices.length)
      for (const index of s.sharedTracker.indices) expect(index).toBeLessThan(s.manual.length)
      expect(describeSchedule(s)).toContain(
        `tracker@${s.sharedTracker.tick}×${s.sharedTracker.indices.length}`,
      )
    }
  })

  it('turns a seed into the same schedule every time', () => {
    for (let seed = 1; seed <= 50; seed++) {
      expect(describeSchedule(scheduleFor(seed))).toBe(describeSchedule(scheduleFor(seed)))
    }
  })

  it('covers every scenario, transport, profile and fault kind within the CI range', () => {
    const schedules = Array.from({ length: 200 }, (_, i) => scheduleFor(i + 1))
    expect(new Set(schedules.map((s) => s.scenario))).toEqual(
      new Set(['ton-stream', 'venum-watch', 'tracker']),
    )
    const kinds = new Set(schedules.flatMap((s) => s.faults.map((f) => f.kind)))
    for (const kind of [
      'drop-mid-event',
      'server-5xx',
      'rate-limit-429',
      'reconnect-too-soon',
      'half-open',
      'heartbeat-silence',
      'slow-consumer',
      'out-of-order-finality',
      'invalidation-across-reconnect',
      'v3-errors',
      'subscription-change',
      'venum-drop',
      'venum-stall',
      'venum-503-fallback',
      'venum-rest-errors',
      'venum-stream-limit',
      'abort',
    ]) {
      expect(kinds, kind).toContain(kind)
    }
    const ton = schedules.flatMap((s) =>
      s.scenario === 'venum-watch' ? [] : [`${s.profile}/${s.transport}`],
    )
    expect(new Set(ton)).toEqual(
      new Set(['toncenter/sse', 'toncenter/websocket', 'tonapi/sse', 'tonapi/websocket']),
    )
  })

  it('never schedules a WebSocket-only fault on SSE', () => {
    for (let seed = 1; seed <= 2_000; seed++) {
      const schedule = scheduleFor(seed)
      if (schedule.scenario !== 'venum-watch' && schedule.transport === 'sse') {
        expect(schedule.faults.map((f) => f.kind)).not.toContain('half-open')
      }
    }
  })
})
