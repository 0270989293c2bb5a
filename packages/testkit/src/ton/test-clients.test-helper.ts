import { readFileSync } from 'node:fs'
import { fetch } from 'undici'
import WebSocket from 'ws'

/** Reads a captured fixture next to the tests. */
export const fixture = (name: string): string =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')

const DEFAULT_WAIT_MS = 3_000

async function until<T>(check: () => T | undefined, timeoutMs: number, what: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what()}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** A raw SSE client: the status, headers and the exact text of the stream. */
export interface SseClient {
  status: number
  headers: Headers
  /** Everything received so far. */
  readonly text: string
  /** The JSON of every `data:` line received so far, in order. */
  readonly data: Record<string, unknown>[]
  /** Waits until `predicate(data)` holds. */
  waitFor(
    predicate: (data: Record<string, unknown>[], text: string) => boolean,
    timeoutMs?: number,
  ): Promise<void>
  /** Resolves when the server ended or dropped the stream. */
  readonly ended: Promise<void>
  close(): void
}

/** Opens an SSE POST; for a non-200 answer the body is read and returned as `error`. */
export async function openSse(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<SseClient & { error?: unknown }> {
  const controller = new AbortController()
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: controller.signal,
  })
  let text = ''
  const decoder = new TextDecoder()
  const reader = response.status === 200 ? response.body?.getReader() : undefined
  const ended = (async () => {
    if (response.status !== 200 || !reader) return
    try {
      for (;;) {
        const chunk = await reader.read()
        if (chunk.done) return
        text += decoder.decode(chunk.value, { stream: true })
      }
    } catch {
      // Aborted or dropped.
    }
  })()
  const client: SseClient & { error?: unknown } = {
    status: response.status,
    headers: response.headers as unknown as Headers,
    get text() {
      return text
    },
    get data() {
      return text
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => JSON.parse(line.slice(6)) as Record<string, unknown>)
    },
    waitFor: async (predicate, timeoutMs = DEFAULT_WAIT_MS) => {
      await until(
        () => (predicate(client.data, text) ? true : undefined),
        timeoutMs,
        () => text,
      )
    },
    ended,
    close: () => controller.abort(),
  }
  if (response.status !== 200) {
    const raw = await response.text()
    client.error = raw.startsWith('{') ? JSON.parse(raw) : raw
  }
  return client
}

/** A WebSocket client that keeps every message. */
export interface WsClient {
  socket: WebSocket
  readonly messages: Record<string, unknown>[]
  readonly raw: string[]
  send(message: unknown): void
  /** Sends `message` and waits for the response carrying its `id`. */
  request(message: Record<string, unknown>, timeoutMs?: number): Promise<Record<string, unknown>>
  /** Waits for a message matching `predicate` (one already received counts). */
  next(
    predicate: (message: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>
  readonly closed: Promise<{ code: number; reason: string }>
}

/** Connects and waits for the upgrade to complete. */
export async function connectWs(url: string, headers: Record<string, string> = {}): Promise<WsClient> {
  const socket = new WebSocket(url, { headers })
  const raw: string[] = []
  socket.on('message', (data) => raw.push(data.toString()))
  socket.on('error', () => {})
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  )
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(`unexpected response ${response.statusCode}`)),
    )
    socket.once('error', reject)
  })
  const parsed = () => raw.map((text) => JSON.parse(text) as Record<string, unknown>)
  const next: WsClient['next'] = (predicate, timeoutMs = DEFAULT_WAIT_MS) =>
    until(
      () => parsed().find(predicate),
      timeoutMs,
      () => JSON.stringify(raw),
    )
  return {
    socket,
    get messages() {
      return parsed()
    },
    raw,
    send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
    request: (message, timeoutMs) => {
      socket.send(JSON.stringify(message))
      return next((m) => m.id === message.id, timeoutMs)
    },
    next,
    closed,
  }
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
