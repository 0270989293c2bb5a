import { randomBytes } from 'node:crypto'
import { connect, Socket } from 'node:net'

/** A client on a bare TCP socket: every `data` chunk as it came, so tests can see how bytes were written. */
export interface RawClient {
  readonly socket: Socket
  /** Every chunk received, the HTTP response head included. */
  readonly chunks: Buffer[]
  /** Everything received so far. */
  bytes(): Buffer
  /** Waits until `check(bytes)` holds. */
  waitFor(check: (bytes: Buffer) => boolean, timeoutMs?: number): Promise<void>
  close(): void
}

const HEAD_END = Buffer.from('\r\n\r\n')

async function openRaw(url: string, request: string): Promise<RawClient> {
  const { hostname, port } = new URL(url)
  const socket = connect({ host: hostname, port: Number(port) })
  socket.on('error', () => {})
  const chunks: Buffer[] = []
  const waiters = new Set<() => void>()
  // Waiters look at everything received, so they run at most every 10 ms rather than per chunk: a client
  // draining megabytes of padding would otherwise re-read them all once per 64 KB.
  let scheduled = false
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk)
    if (scheduled) return
    scheduled = true
    setTimeout(() => {
      scheduled = false
      for (const waiter of waiters) waiter()
    }, 10)
  })
  socket.on('close', () => {
    for (const waiter of waiters) waiter()
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  socket.write(request)
  let joined = Buffer.alloc(0)
  let joinedChunks = 0
  const bytes = () => {
    if (joinedChunks < chunks.length) {
      joined = Buffer.concat([joined, ...chunks.slice(joinedChunks)])
      joinedChunks = chunks.length
    }
    return joined
  }
  return {
    socket,
    chunks,
    bytes,
    waitFor: (check, timeoutMs = 10_000) =>
      new Promise<void>((resolve, reject) => {
        const waiter = () => {
          if (check(bytes())) {
            done()
            resolve()
          } else if (socket.destroyed) {
            done()
            reject(new Error(`the socket closed; received: ${bytes().toString().slice(-500)}`))
          }
        }
        const timer = setTimeout(() => {
          done()
          reject(new Error(`timed out; received: ${bytes().toString().slice(-500)}`))
        }, timeoutMs)
        const done = () => {
          clearTimeout(timer)
          waiters.delete(waiter)
        }
        waiters.add(waiter)
        waiter()
      }),
    close: () => socket.destroy(),
  }
}

/** POSTs an SSE subscription by hand. The response body stays chunk-encoded in `bytes()`. */
export function rawSse(url: string, body: unknown, headers: Record<string, string> = {}): Promise<RawClient> {
  const { host, pathname, search } = new URL(url)
  const payload = JSON.stringify(body)
  const lines = [
    `POST ${pathname}${search} HTTP/1.1`,
    `Host: ${host}`,
    'Content-Type: application/json',
    'Accept: text/event-stream',
    `Content-Length: ${Buffer.byteLength(payload)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ]
  return openRaw(url, `${lines.join('\r\n')}\r\n\r\n${payload}`)
}

/** The JSON of every complete SSE `data:` line in `bytes` (chunk-size lines are skipped). */
export function sseData(bytes: Buffer): Record<string, unknown>[] {
  const lines = bytes.toString('utf8').split('\n')
  lines.pop() // not ended yet
  return lines
    .filter((line) => line.startsWith('data: '))
    .map((line) => JSON.parse(line.slice(6)) as Record<string, unknown>)
}

/** A WebSocket client on a bare socket, after the upgrade. */
export interface RawWsClient extends RawClient {
  /** Sends one masked text frame, as a client must. */
  sendText(text: string): void
}

/** Upgrades by hand and waits for the 101 response. */
export async function rawWs(url: string, headers: Record<string, string> = {}): Promise<RawWsClient> {
  const { host, pathname, search } = new URL(url)
  const lines = [
    `GET ${pathname}${search} HTTP/1.1`,
    `Host: ${host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ]
  const client = await openRaw(url.replace(/^ws/, 'http'), `${lines.join('\r\n')}\r\n\r\n`)
  await client.waitFor((bytes) => bytes.includes(HEAD_END))
  if (!client.bytes().toString('latin1').startsWith('HTTP/1.1 101')) {
    throw new Error(`upgrade refused: ${client.bytes().toString()}`)
  }
  return {
    ...client,
    sendText: (text) => {
      const payload = Buffer.from(text)
      const mask = randomBytes(4)
      const length =
        payload.length < 126
          ? Buffer.from([0x80 | payload.length])
          : Buffer.from([0x80 | 126, payload.length >> 8, payload.length & 0xff])
      const masked = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] as number)))
      client.socket.write(Buffer.concat([Buffer.from([0x81]), length, mask, masked]))
    },
  }
}

/** The texts of the complete server frames in `bytes` (from the start of the frames, after the 101 head). */
export function wsTexts(bytes: Buffer): string[] {
  const texts: string[] = []
  let at = 0
  while (at + 2 <= bytes.length) {
    const opcode = (bytes[at] as number) & 0x0f
    let length = (bytes[at + 1] as number) & 0x7f
    let start = at + 2
    if (length === 126) {
      if (start + 2 > bytes.length) break
      length = bytes.readUInt16BE(start)
      start += 2
    } else if (length === 127) {
      if (start + 8 > bytes.length) break
      length = Number(bytes.readBigUInt64BE(start))
      start += 8
    }
    if (start + length > bytes.length) break
    if (opcode === 1) texts.push(bytes.subarray(start, start + length).toString('utf8'))
    at = start + length
  }
  return texts
}

/** The bytes after the HTTP response head. */
export function afterHead(bytes: Buffer): Buffer {
  const end = bytes.indexOf(HEAD_END)
  return end === -1 ? Buffer.alloc(0) : bytes.subarray(end + HEAD_END.length)
}

type WriteChunk = { chunk: Buffer | string; encoding: BufferEncoding }
type SocketWrites = {
  _write(chunk: Buffer | string, encoding: BufferEncoding, callback: (error?: Error | null) => void): void
  _writev(chunks: WriteChunk[], callback: (error?: Error | null) => void): void
}

const toBuffer = ({ chunk, encoding }: WriteChunk) =>
  typeof chunk === 'string' ? Buffer.from(chunk, encoding) : Buffer.from(chunk)

/**
 * Records what server-side sockets (accepted by a listening server) hand to the OS, one entry per write
 * call, a corked batch being one. A client reading in the same process would often get two back-to-back
 * writes in one chunk anyway; this tells them apart.
 */
export function recordServerWrites(): { writes: Buffer[]; restore(): void } {
  const proto = Socket.prototype as unknown as SocketWrites
  const { _write, _writev } = proto
  const writes: Buffer[] = []
  const accepted = (socket: unknown) => (socket as { server?: unknown }).server !== undefined
  proto._write = function (this: Socket, chunk, encoding, callback) {
    if (accepted(this)) writes.push(toBuffer({ chunk, encoding }))
    _write.call(this, chunk, encoding, callback)
  }
  proto._writev = function (this: Socket, chunks, callback) {
    if (accepted(this)) writes.push(Buffer.concat(chunks.map(toBuffer)))
    _writev.call(this, chunks, callback)
  }
  return {
    writes,
    restore: () => {
      proto._write = _write
      proto._writev = _writev
    },
  }
}
