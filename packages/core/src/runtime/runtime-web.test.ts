import { isChainstreamError } from '@chainstream/core'
import { createSseServer, createWsServer, type SseServer, type WsServer } from '@chainstream/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as runtime from './runtime-web.js'

// The web runtime on Node, over loopback: Node has a global `fetch`; `ws` stands in for a browser's global
// WebSocket (a real implementation, installed on `globalThis` for the test). The browser tests run the same
// module in Chromium.
const globals = globalThis as unknown as Record<string, unknown>

describe('the web runtime (globals only)', () => {
  let sse: SseServer | undefined
  let wss: WsServer | undefined
  const saved = { WebSocket: globals.WebSocket, setImmediate: globals.setImmediate }
  afterEach(async () => {
    globals.WebSocket = saved.WebSocket
    globals.setImmediate = saved.setImmediate
    await sse?.close()
    await wss?.close()
    sse = wss = undefined
  })

  it('streams an SSE body and reads JSON with the global fetch', async () => {
    sse = await createSseServer()
    sse.handleNext(async (conn) => {
      conn.open()
      conn.event({ data: 'one' })
      conn.end()
    })
    sse.handleNext((conn) => conn.respond(200, { ok: true }))
    const response = await runtime.openSse(sse.url, {
      method: 'GET',
      headers: { accept: 'text/event-stream' },
      signal: new AbortController().signal,
    })
    expect(response.status).toBe(200)
    const text = await new Promise<string>((resolve, reject) => {
      let body = ''
      const decoder = new TextDecoder()
      response.consume({
        chunk: (bytes) => (body += decoder.decode(bytes)),
        end: () => resolve(body),
        error: reject,
      })
    })
    expect(text).toContain('data: one')
    const json = await runtime.requestText(sse.url, {
      method: 'GET',
      headers: {},
      signal: new AbortController().signal,
    })
    expect(json.status).toBe(200)
    expect(JSON.parse(json.text)).toEqual({ ok: true })
  })

  it('runs deferred work without setImmediate', async () => {
    globals.setImmediate = undefined
    await new Promise<void>((resolve) => runtime.defer(resolve))
  })

  it('opens the global WebSocket with arraybuffer binary messages', async () => {
    globals.WebSocket = WebSocket
    wss = await createWsServer()
    wss.handle((conn) => conn.send(new TextEncoder().encode('bytes')))
    const socket = runtime.createWebSocket(wss.url, undefined, {}, 1024)
    expect((socket as unknown as { binaryType: string }).binaryType).toBe('arraybuffer')
    const data = await new Promise<unknown>((resolve) => {
      socket.onmessage = (event) => resolve(event.data)
    })
    expect(data).toBeInstanceOf(ArrayBuffer)
    socket.close()
  })

  it('refuses a secret header a browser WebSocket would silently drop, and names the fix', () => {
    globals.WebSocket = WebSocket
    const caught = (() => {
      try {
        runtime.createWebSocket(
          'ws://127.0.0.1:9/ws?api_key=secret-key',
          undefined,
          { 'X-API-Key': 'k' },
          1024,
        )
      } catch (error) {
        return error
      }
    })()
    expect(isChainstreamError(caught, 'InvalidArgument')).toBe(true)
    expect((caught as Error).message).toMatch(/X-API-Key header .* query parameter/)
    expect((caught as Error).message).not.toContain('secret-key')
  })

  it('says what to pass when the platform has no WebSocket', () => {
    globals.WebSocket = undefined
    expect(() => runtime.createWebSocket('ws://127.0.0.1:9/ws', undefined, {}, 1024)).toThrow(
      /no global WebSocket: pass one with the `WebSocket` option/,
    )
  })
})
