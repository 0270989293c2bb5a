import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { closeWithin } from './close-within.js'
import type { NodeStatus } from './red-types.js'
import { connectionStatus, StatusReporter } from './status-reporter.js'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('StatusReporter', () => {
  it('shows changes of colour at once, throttles count-only changes, and clears on close', () => {
    const shown: NodeStatus[] = []
    const reporter = new StatusReporter({ status: (status) => shown.push(status) }, 1_000)
    reporter.report({ fill: 'yellow', shape: 'ring', text: 'connecting' })
    reporter.report({ fill: 'green', shape: 'dot', text: '1 events' })
    reporter.report({ fill: 'green', shape: 'dot', text: '2 events' })
    reporter.report({ fill: 'green', shape: 'dot', text: '3 events' })
    expect(shown.map((status) => status.text)).toEqual(['connecting', '1 events'])
    vi.advanceTimersByTime(1_000)
    expect(shown.map((status) => status.text)).toEqual(['connecting', '1 events', '3 events'])
    reporter.report({ fill: 'green', shape: 'dot', text: '3 events' })
    reporter.clear()
    reporter.report({ fill: 'red', shape: 'ring', text: 'late' })
    expect(shown.at(-1)).toEqual({})
    expect(vi.getTimerCount()).toBe(0)
  })

  it('maps the shared connection state onto the status conventions', () => {
    const text = (key: string) => key
    expect(connectionStatus({ phase: 'connecting', since: 0 }, text, 'd')).toMatchObject({
      fill: 'yellow',
      shape: 'ring',
    })
    expect(connectionStatus({ phase: 'subscribed', since: 0 }, text, 'detail')).toEqual({
      fill: 'green',
      shape: 'dot',
      text: 'detail',
    })
    expect(connectionStatus({ phase: 'error', reason: 'Unauthorized', since: 0 }, text, 'd')).toEqual({
      fill: 'red',
      shape: 'ring',
      text: 'Unauthorized',
    })
  })
})

describe('closeWithin', () => {
  it('calls done once when the clean-up ends, or at the limit when it hangs', async () => {
    const done = vi.fn()
    closeWithin(
      () => Promise.resolve(),
      done,
      () => {},
    )
    await vi.runAllTimersAsync()
    expect(done).toHaveBeenCalledTimes(1)

    const late = vi.fn()
    const problems: string[] = []
    closeWithin(
      () => new Promise(() => {}),
      late,
      (message) => problems.push(message),
      5_000,
    )
    vi.advanceTimersByTime(4_999)
    expect(late).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(late).toHaveBeenCalledTimes(1)
    expect(problems[0]).toMatch(/still running/)

    const thrown = vi.fn()
    closeWithin(
      () => {
        throw new Error('boom')
      },
      thrown,
      () => {},
    )
    expect(thrown).toHaveBeenCalledTimes(1)
  })
})
