/** One dispatched Server-Sent Event, as the WHATWG algorithm defines it. */
export interface SseMessage {
  /** The `event:` field; `'message'` when the server sent none. */
  event: string
  /** The `data:` lines joined by `\n`. */
  data: string
  /** The last event id seen on this connection (`''` when none). */
  lastEventId: string
}

/** Callbacks of {@link createSseParser}. */
export interface SseParserCallbacks {
  /** Called for every dispatched event. */
  onEvent: (message: SseMessage) => void
  /** Called with the text of a comment line (`: keepalive` → `' keepalive'`). */
  onComment?: (comment: string) => void
  /** Called when a valid `retry:` field sets the reconnection time, in milliseconds. */
  onRetry?: (ms: number) => void
}

/** Options of {@link createSseParser}. */
export interface SseParserOptions extends SseParserCallbacks {
  /**
   * The largest event (bytes of the pending line plus buffered data) accepted before `feed` throws an
   * `EventTooLarge` error. @default 8 MiB
   */
  maxEventSize?: number
}

/** An incremental SSE parser over bytes. */
export interface SseParser {
  /** Feeds the next chunk of the body; chunks may split lines, CRLF pairs and UTF-8 characters anywhere. */
  feed(bytes: Uint8Array): void
  /** Ends the stream: a trailing event without its blank line is discarded, as the standard says. */
  end(): void
}
