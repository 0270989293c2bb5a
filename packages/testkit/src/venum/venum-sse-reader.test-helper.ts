/** A minimal SSE reader for the simulator's own tests (the testkit depends on no workspace package). */

export interface ReadEvent {
  event: string
  data: unknown
  /** Milliseconds since the request started. */
  atMs: number
}

export interface ReadResult {
  status: number
  headers: Headers
  events: ReadEvent[]
  /** How the stream ended: cleanly, by a dropped socket, or by our own time limit. */
  ending: 'end' | 'error' | 'timeout'
  body?: unknown
}

/** Opens `url` and collects events until the stream ends, fails, or `timeoutMs` passes. */
export async function readSse(
  url: string,
  options: {
    headers?: Record<string, string>
    timeoutMs?: number
    until?: (events: ReadEvent[]) => boolean
    /** Stops reading (the ending is then `timeout`). */
    signal?: AbortSignal
  } = {},
): Promise<ReadResult> {
  const start = Date.now()
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 3_000)
  options.signal?.addEventListener('abort', () => controller.abort(), { once: true })
  const events: ReadEvent[] = []
  try {
    const response = await fetch(url, { headers: options.headers ?? {}, signal: controller.signal })
    if (!response.headers.get('content-type')?.includes('text/event-stream')) {
      const text = await response.text()
      return {
        status: response.status,
        headers: response.headers,
        events,
        ending: 'end',
        body: JSON.parse(text),
      }
    }
    let ending: ReadResult['ending'] = 'end'
    let buffer = ''
    const decoder = new TextDecoder()
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true })
        let end = buffer.indexOf('\n\n')
        while (end !== -1) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          let event = 'message'
          const data: string[] = []
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7)
            else if (line.startsWith('data: ')) data.push(line.slice(6))
          }
          events.push({ event, data: JSON.parse(data.join('\n')), atMs: Date.now() - start })
          end = buffer.indexOf('\n\n')
        }
        if (options.until?.(events)) {
          controller.abort()
          break
        }
      }
    } catch {
      ending = controller.signal.aborted ? 'timeout' : 'error'
    }
    return { status: response.status, headers: response.headers, events, ending }
  } finally {
    clearTimeout(timer)
  }
}

/** The `tx` events of one signature as `status` strings. */
export const statusesOf = (events: ReadEvent[], signature: string): string[] =>
  events
    .filter((e) => e.event === 'tx' && (e.data as { signature: string }).signature === signature)
    .map((e) => (e.data as { status: string }).status)
