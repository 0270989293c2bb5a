import { createSseServer, type SseServer, trackTimers, venumSignature } from '@chainstream/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { createVenum } from './create-venum.js'

const until = async (predicate: () => boolean, timeoutMs = 5_000, what = 'condition') => {
  const start = Date.now()
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what} not met within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

describe('timers, server-requested waits and options', () => {
  it('refuses an unknown watch option instead of ignoring it', () => {
    const venum = createVenum({ apiKey: 'venum-key-0003', baseUrl: 'http://127.0.0.1:9' })
    expect(() =>
      venum.watch({ signatures: [venumSignature(3, 4)], snapshots: false } as unknown as Parameters<
        typeof venum.watch
      >[0]),
    ).toThrow(/unknown option "snapshots"/)
  })

  let server: SseServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  it('close() of a watch whose stream never said `ready` leaves no timer behind (no fixed 30 s wait)', async () => {
    const timers = trackTimers('core/src/stream/', 'core/src/util/')
    try {
      server = await createSseServer()
      let opened = false
      server.handle((conn) => {
        conn.open({ 'content-type': 'text/event-stream' }) // and never sends `event: ready`
        opened = true
      })
      const venum = createVenum({ apiKey: 'venum-key-0001', baseUrl: server.url, heartbeatTimeoutMs: 0 })
      const watch = venum.watch({ signatures: [venumSignature(1, 4)] })
      await until(() => opened, 5_000, 'the stream request')
      await new Promise((r) => setTimeout(r, 50))
      expect(timers.created()).toBeGreaterThan(0)
      await watch.close()
      expect(await timers.live()).toBe(0)
    } finally {
      timers.stop()
    }
  })

  it('REST: Retry-After: 1000000000 is a long wait (the cap), never a hot loop, and abort ends it', async () => {
    server = await createSseServer()
    server.handle((conn) => {
      void conn.respond(503, { error: 'unavailable' }, { 'retry-after': '1000000000' })
    })
    const venum = createVenum({ apiKey: 'venum-key-0002', baseUrl: server.url })
    const controller = new AbortController()
    const status = venum.status(venumSignature(2, 4), { signal: controller.signal }).catch((e: unknown) => e)
    await until(() => (server?.requests.length ?? 0) === 1, 3_000, 'the first request')
    await new Promise((r) => setTimeout(r, 300))
    expect(server.requests).toHaveLength(1)
    controller.abort()
    expect(await status).toMatchObject({ code: 'Aborted' })
  })
})
