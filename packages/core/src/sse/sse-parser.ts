import { ChainstreamError } from '../errors/chainstream-error.js'
import type { SseParser, SseParserOptions } from './sse-types.js'

/** The default {@link SseParserOptions.maxEventSize}: 8 MiB. */
export const DEFAULT_MAX_EVENT_SIZE = 8 * 1024 * 1024

const LF = 0x0a
const CR = 0x0d
const COLON = 0x3a
const SPACE = 0x20

// Non-streaming decodes of whole lines: every line is complete, so no decoder state may leak from one
// line into the next. `ignoreBOM` keeps a U+FEFF inside the stream; only the stream's first BOM is
// skipped, by hand (see `processLine`).
const decoder = new TextDecoder('utf-8', { ignoreBOM: true })

/** A view of `bytes[start..end)`; a plain view skips the species lookup `subarray` does on a Buffer. */
const view = (bytes: Uint8Array, start: number, end: number): Uint8Array =>
  new Uint8Array(bytes.buffer, bytes.byteOffset + start, end - start)

/** A copy of `bytes[start..end)` in memory of its own. */
const copyOf = (bytes: Uint8Array, start: number, end: number): Uint8Array =>
  Uint8Array.prototype.slice.call(bytes, start, end)

/** UTF-8 decoding with replacement characters, as the standard requires; short ASCII skips the decoder. */
function decode(bytes: Uint8Array, start: number, end: number): string {
  const length = end - start
  if (length === 0) return ''
  // Event names, ids and retry values are short and ASCII; a call into TextDecoder costs more than this.
  if (length <= 16) {
    let ascii = ''
    for (let i = start; i < end; i++) {
      const byte = bytes[i]!
      if (byte >= 0x80) return decoder.decode(view(bytes, start, end))
      ascii += String.fromCharCode(byte)
    }
    return ascii
  }
  return decoder.decode(view(bytes, start, end))
}

/** Do `bytes[start..end)` spell the ASCII `name`? */
function isField(bytes: Uint8Array, start: number, end: number, name: string): boolean {
  if (end - start !== name.length) return false
  for (let i = 0; i < name.length; i++) {
    if (bytes[start + i] !== name.charCodeAt(i)) return false
  }
  return true
}

function isAsciiDigits(value: string): boolean {
  if (value === '') return false
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c < 0x30 || c > 0x39) return false
  }
  return true
}

/**
 * Creates an incremental parser for a `text/event-stream` body, following the HTML Living Standard
 * ("Interpreting an event stream"): LF, CR and CRLF line ends (also a CRLF split across chunks), a
 * leading BOM, comments, `event`/`data`/`id`/`retry` fields, and dispatch on a blank line.
 *
 * Lines are split on bytes and each complete line is decoded once, so chunks may cut through CRLF pairs
 * and multi-byte UTF-8 characters anywhere.
 *
 * `feed` throws a `ChainstreamError` with code `EventTooLarge` when the line being read plus the data
 * already buffered for the current event exceed `maxEventSize` bytes; the check happens before anything
 * is buffered, so memory stays bounded by the limit. After that (or after `end()`), the parser is done
 * and `feed` throws. An exception thrown by a callback propagates out of `feed`; the rest of that chunk
 * is not parsed.
 *
 * @example
 * ```ts
 * const parser = createSseParser({ onEvent: (m) => handle(JSON.parse(m.data)) })
 * for await (const chunk of body) parser.feed(chunk)
 * parser.end()
 * ```
 */
export function createSseParser(options: SseParserOptions): SseParser {
  const { onEvent, onComment, onRetry } = options
  const maxEventSize = options.maxEventSize ?? DEFAULT_MAX_EVENT_SIZE
  if (!(maxEventSize > 0)) {
    throw new ChainstreamError(
      'InvalidArgument',
      `maxEventSize must be a positive number of bytes, got ${maxEventSize}`,
    )
  }

  // The incomplete line at the end of the previous chunk(s), kept as copied fragments so a long line
  // arriving in many chunks is joined once, not re-concatenated on every chunk.
  let fragments: Uint8Array[] = []
  let fragmentBytes = 0
  // The previous chunk ended with CR: an LF starting the next chunk belongs to the same line end.
  let skipLeadingLf = false
  let firstLine = true
  let failure: ChainstreamError | undefined
  // Ended by `end()`: the error for a feed after it is built only if that mistake is ever made (every
  // stream ends, and an error with its stack per end is a cost nothing needs).
  let ended = false

  let data = ''
  let hasData = false
  let dataBytes = 0
  let eventType = ''
  let lastEventId = ''

  const tooLarge = (size: number): ChainstreamError => {
    failure = new ChainstreamError(
      'EventTooLarge',
      `An SSE event exceeded the maximum size of ${maxEventSize} bytes (reached ${size} bytes); ` +
        'raise the `maxEventSize` option if the server legitimately sends events this large',
    )
    // Release everything buffered: the caller is expected to drop the connection.
    fragments = []
    fragmentBytes = 0
    data = ''
    hasData = false
    dataBytes = 0
    return failure
  }

  const dispatch = (): void => {
    if (!hasData) {
      eventType = ''
      return
    }
    const message = { event: eventType === '' ? 'message' : eventType, data, lastEventId }
    data = ''
    hasData = false
    dataBytes = 0
    eventType = ''
    onEvent(message)
  }

  /** Interprets one complete line, `bytes[start..end)` without its terminator. */
  const processLine = (bytes: Uint8Array, start: number, end: number, colonAt: number): void => {
    if (firstLine) {
      firstLine = false
      if (
        end - start >= 3 &&
        bytes[start] === 0xef &&
        bytes[start + 1] === 0xbb &&
        bytes[start + 2] === 0xbf
      ) {
        start += 3
      }
    }
    if (start === end) {
      dispatch()
      return
    }
    if (colonAt === start) {
      if (onComment) onComment(decode(bytes, start + 1, end))
      return
    }
    let nameEnd = end
    let valueStart = end
    if (colonAt < end) {
      nameEnd = colonAt
      valueStart = colonAt + 1
      if (valueStart < end && bytes[valueStart] === SPACE) valueStart++
    }
    const first = bytes[start]
    if (first === 0x64 && isField(bytes, start, nameEnd, 'data')) {
      const size = end - valueStart
      // +1 for the LF that joins data lines.
      if (dataBytes + size + 1 > maxEventSize) throw tooLarge(dataBytes + size + 1)
      const value = decode(bytes, valueStart, end)
      if (hasData) data += '\n' + value
      else {
        data = value
        hasData = true
      }
      dataBytes += size + 1
    } else if (first === 0x65 && isField(bytes, start, nameEnd, 'event')) {
      eventType = decode(bytes, valueStart, end)
    } else if (first === 0x69 && isField(bytes, start, nameEnd, 'id')) {
      if (view(bytes, valueStart, end).indexOf(0) === -1) lastEventId = decode(bytes, valueStart, end)
    } else if (first === 0x72 && isField(bytes, start, nameEnd, 'retry')) {
      const value = decode(bytes, valueStart, end)
      if (isAsciiDigits(value)) {
        const ms = Number(value)
        // A value beyond 2^53 cannot be a meaningful delay; treat it like any other unusable value.
        if (Number.isSafeInteger(ms) && onRetry) onRetry(ms)
      }
    }
    // Any other field name is ignored, as the standard says.
  }

  /** Completes the pending line with `chunk[0..end)` and interprets it. */
  const processJoinedLine = (chunk: Uint8Array, end: number): void => {
    const total = fragmentBytes + end
    if (total + dataBytes > maxEventSize) throw tooLarge(total + dataBytes)
    const line = new Uint8Array(total)
    let offset = 0
    for (const fragment of fragments) {
      line.set(fragment, offset)
      offset += fragment.length
    }
    line.set(chunk.subarray(0, end), offset)
    fragments = []
    fragmentBytes = 0
    const colonAt = line.indexOf(COLON)
    processLine(line, 0, total, colonAt === -1 ? total : colonAt)
  }

  const feed = (chunk: Uint8Array): void => {
    if (ended) {
      failure ??= new ChainstreamError('Closed', 'The SSE parser was fed after end()', { isRetryable: false })
    }
    if (failure) throw failure
    const length = chunk.length
    if (length === 0) return
    let pos = 0
    if (skipLeadingLf) {
      skipLeadingLf = false
      if (chunk[0] === LF) pos = 1
    }
    // Next positions of LF, CR and ':' at or after `pos`; `length` means "none in this chunk". Caching
    // them keeps every search linear over the chunk even when one byte is rare (CR) or absent.
    let nextLf = -1
    let nextCr = -1
    let nextColon = -1
    while (pos < length) {
      if (nextLf < pos) {
        nextLf = chunk.indexOf(LF, pos)
        if (nextLf === -1) nextLf = length
      }
      if (nextCr < pos) {
        nextCr = chunk.indexOf(CR, pos)
        if (nextCr === -1) nextCr = length
      }
      const lineEnd = Math.min(nextLf, nextCr)
      if (lineEnd === length) {
        const tail = length - pos
        const size = fragmentBytes + tail + dataBytes
        if (size > maxEventSize) throw tooLarge(size)
        // Copied: the caller may reuse its buffer, and a small tail must not pin a large chunk. Through
        // Uint8Array's own slice: a Node Buffer's `slice` is a view of the same memory.
        fragments.push(copyOf(chunk, pos, length))
        fragmentBytes += tail
        return
      }
      if (fragmentBytes > 0) {
        // A pending fragment means the previous chunk ended mid-line, so this line starts at 0.
        processJoinedLine(chunk, lineEnd)
      } else {
        if (lineEnd - pos + dataBytes > maxEventSize) throw tooLarge(lineEnd - pos + dataBytes)
        if (nextColon < pos) {
          nextColon = chunk.indexOf(COLON, pos)
          if (nextColon === -1) nextColon = length
        }
        processLine(chunk, pos, lineEnd, nextColon)
      }
      pos = lineEnd + 1
      if (lineEnd === nextCr) {
        if (pos === length) skipLeadingLf = true
        else if (chunk[pos] === LF) pos++
      }
    }
  }

  const end = (): void => {
    if (failure || ended) return
    ended = true
    // An event without its terminating blank line is incomplete and is discarded, as is a partial line.
    fragments = []
    fragmentBytes = 0
    data = ''
    hasData = false
    dataBytes = 0
    eventType = ''
  }

  return { feed, end }
}
