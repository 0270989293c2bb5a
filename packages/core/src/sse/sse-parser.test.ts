import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ChainstreamError, isChainstreamError } from '../errors/chainstream-error.js'
import { createSseParser } from './sse-parser.js'
import type { SseMessage } from './sse-types.js'

type Output = ['event', SseMessage] | ['comment', string] | ['retry', number]

const encoder = new TextEncoder()
const bytes = (text: string): Uint8Array => encoder.encode(text)

/** Feeds `chunks` (text or bytes) through a fresh parser and returns everything it reported, in order. */
function parse(chunks: readonly (string | Uint8Array)[], maxEventSize?: number, end = true): Output[] {
  const out: Output[] = []
  const parser = createSseParser({
    onEvent: (message) => out.push(['event', message]),
    onComment: (comment) => out.push(['comment', comment]),
    onRetry: (ms) => out.push(['retry', ms]),
    ...(maxEventSize === undefined ? {} : { maxEventSize }),
  })
  for (const chunk of chunks) parser.feed(typeof chunk === 'string' ? bytes(chunk) : chunk)
  if (end) parser.end()
  return out
}

const events = (chunks: readonly (string | Uint8Array)[]): SseMessage[] =>
  parse(chunks).flatMap((o) => (o[0] === 'event' ? [o[1]] : []))

const msg = (data: string, event = 'message', lastEventId = ''): SseMessage => ({ event, data, lastEventId })

/** Splits `input` at the given offsets (sorted, deduplicated, clamped). */
function splitAt(input: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const cuts = [...new Set(offsets.map((o) => Math.min(o, input.length)))].sort((a, b) => a - b)
  const parts: Uint8Array[] = []
  let start = 0
  for (const cut of cuts) {
    parts.push(input.subarray(start, cut))
    start = cut
  }
  parts.push(input.subarray(start))
  return parts
}

/**
 * A deliberately naive transcription of the standard, used as the oracle: decode the whole stream,
 * split it into lines, interpret them one by one.
 */
function referenceParse(input: Uint8Array): Output[] {
  // The default TextDecoder strips one leading BOM, exactly like the standard's "UTF-8 decode".
  const text = new TextDecoder().decode(input)
  const out: Output[] = []
  let data = ''
  let type = ''
  let lastId = ''
  const lines = text.split(/\r\n|\r|\n/)
  lines.pop() // the text after the last line end is an incomplete line
  for (const line of lines) {
    if (line === '') {
      if (data === '') {
        type = ''
        continue
      }
      if (data.endsWith('\n')) data = data.slice(0, -1)
      out.push(['event', { event: type === '' ? 'message' : type, data, lastEventId: lastId }])
      data = ''
      type = ''
      continue
    }
    if (line.startsWith(':')) {
      out.push(['comment', line.slice(1)])
      continue
    }
    const colon = line.indexOf(':')
    const name = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (name === 'event') type = value
    else if (name === 'data') data += value + '\n'
    else if (name === 'id') {
      if (!value.includes('\0')) lastId = value
    } else if (name === 'retry' && /^[0-9]+$/.test(value)) out.push(['retry', Number(value)])
  }
  return out
}

describe('createSseParser: WHATWG event stream interpretation', () => {
  it('LF line ends', () => {
    expect(events(['data: a\n\ndata: b\n\n'])).toEqual([msg('a'), msg('b')])
  })

  it('CR line ends', () => {
    expect(events(['data: a\r\rdata: b\r\r'])).toEqual([msg('a'), msg('b')])
  })

  it('CRLF line ends', () => {
    expect(events(['data: a\r\n\r\ndata: b\r\n\r\n'])).toEqual([msg('a'), msg('b')])
  })

  it('mixed line ends in one stream', () => {
    expect(events(['data: a\rdata: b\ndata: c\r\n\n'])).toEqual([msg('a\nb\nc')])
  })

  it('a CR at the end of one chunk and an LF at the start of the next count as one line end', () => {
    // Counted as two line ends, the LF would be a blank line dispatching "a" on its own.
    expect(events(['data: a\r', '\ndata: b\r', '\n\r', '\n'])).toEqual([msg('a\nb')])
  })

  it('a CR at the end of a chunk followed by a non-LF chunk is a line end', () => {
    expect(events(['data: a\r', 'data: b\r', '\r'])).toEqual([msg('a\nb')])
  })

  it('a leading UTF-8 BOM is skipped', () => {
    expect(events(['\uFEFFdata: a\n\n'])).toEqual([msg('a')])
  })

  it('a leading BOM split across chunks is skipped', () => {
    const input = bytes('\uFEFFdata: a\n\n')
    expect(events([input.subarray(0, 1), input.subarray(1, 2), input.subarray(2)])).toEqual([msg('a')])
  })

  it('a BOM is skipped only at the very start of the stream', () => {
    // The second BOM becomes part of the field name, which is then unknown and ignored.
    expect(events(['\uFEFF\uFEFFdata: a\n\ndata: b\n\n'])).toEqual([msg('b')])
    expect(events(['data: a\n\n\uFEFFdata: b\n\n'])).toEqual([msg('a')])
    expect(events(['data: \uFEFFa\n\n'])).toEqual([msg('\uFEFFa')])
  })

  it('comment lines are reported with the text after the colon', () => {
    expect(parse([': keepalive\n:\n:x:y\n'])).toEqual([
      ['comment', ' keepalive'],
      ['comment', ''],
      ['comment', 'x:y'],
    ])
  })

  it('a comment does not interrupt an event', () => {
    expect(events(['data: a\n: ping\ndata: b\n\n'])).toEqual([msg('a\nb')])
  })

  it('the event field sets the event type', () => {
    expect(events(['event: block\ndata: 1\n\n'])).toEqual([msg('1', 'block')])
  })

  it('the event type defaults to "message", also for an empty event field', () => {
    expect(events(['data: 1\n\nevent:\ndata: 2\n\n'])).toEqual([msg('1'), msg('2')])
  })

  it('the event type is reset after each dispatch', () => {
    expect(events(['event: a\ndata: 1\n\ndata: 2\n\n'])).toEqual([msg('1', 'a'), msg('2')])
  })

  it('an event name repeated from event to event, changed, and left out each read right', () => {
    const stream =
      'event: tx\ndata: 1\n\nevent: tx\ndata: 2\n\nevent: heartbeat\ndata: 3\n\ndata: 4\n\nevent: tx\ndata: 5\n\n'
    expect(events([stream])).toEqual([
      msg('1', 'tx'),
      msg('2', 'tx'),
      msg('3', 'heartbeat'),
      msg('4'),
      msg('5', 'tx'),
    ])
  })

  it('an event name whose bytes spell the previous name as Latin-1 are still decoded as UTF-8', () => {
    // 'Ã©' is U+00C3 U+00A9; the bytes C3 A9 that follow are the UTF-8 of 'é', not that name again.
    const input = new Uint8Array([
      ...bytes('event: Ã©\ndata: 1\n\nevent: '),
      0xc3,
      0xa9,
      ...bytes('\ndata: 2\n\n'),
    ])
    expect(events([input])).toEqual([msg('1', 'Ã©'), msg('2', 'é')])
    expect(events([Buffer.from(input)])).toEqual([msg('1', 'Ã©'), msg('2', 'é')])
  })

  it('multiple data lines are joined with LF', () => {
    expect(events(['data: a\ndata: b\ndata: c\n\n'])).toEqual([msg('a\nb\nc')])
  })

  it('only the single trailing LF of the data buffer is removed at dispatch', () => {
    expect(events(['data: a\ndata\n\n'])).toEqual([msg('a\n')])
    expect(events(['data\ndata\n\n'])).toEqual([msg('\n')])
    expect(events(['data:\n\n'])).toEqual([msg('')])
  })

  it('the id field sets lastEventId, which persists across events', () => {
    expect(events(['id: 7\ndata: a\n\ndata: b\n\nid: 8\ndata: c\n\n'])).toEqual([
      msg('a', 'message', '7'),
      msg('b', 'message', '7'),
      msg('c', 'message', '8'),
    ])
  })

  it('an id in a block without data still updates lastEventId', () => {
    expect(events(['id: 5\n\ndata: a\n\n'])).toEqual([msg('a', 'message', '5')])
  })

  it('an empty id field resets lastEventId', () => {
    expect(events(['id: 1\ndata: a\n\nid\ndata: b\n\n'])).toEqual([msg('a', 'message', '1'), msg('b')])
  })

  it('an id containing NUL is ignored', () => {
    expect(events(['id: 1\ndata: a\n\nid: 2\u00003\ndata: b\n\n'])).toEqual([
      msg('a', 'message', '1'),
      msg('b', 'message', '1'),
    ])
  })

  it('retry with only ASCII digits sets the reconnection time', () => {
    expect(parse(['retry: 1500\nretry:0\n'])).toEqual([
      ['retry', 1500],
      ['retry', 0],
    ])
  })

  it('retry with anything but ASCII digits is ignored', () => {
    expect(parse(['retry: 10a\nretry: -1\nretry: 1.5\nretry:\nretry:  5\nretry: ١٢\n'])).toEqual([])
  })

  it('unknown fields are ignored', () => {
    expect(events(['foo: bar\ndata: a\nDATA: b\nData: c\nevent2: x\n\n'])).toEqual([msg('a')])
  })

  it('a line without a colon is a field name with an empty value', () => {
    expect(events(['data\n\n'])).toEqual([msg('')])
    expect(events(['event\ndata: a\n\n'])).toEqual([msg('a')])
  })

  it('exactly one space after the colon is removed', () => {
    expect(events(['data:a\n\ndata: b\n\ndata:  c\n\ndata:\td\n\n'])).toEqual([
      msg('a'),
      msg('b'),
      msg(' c'),
      msg('\td'),
    ])
  })

  it('only the first colon separates the field name from the value', () => {
    expect(events(['data: {"a":"b:c"}\n\n'])).toEqual([msg('{"a":"b:c"}')])
  })

  it('a blank line with an empty data buffer dispatches nothing and resets the event type', () => {
    expect(events(['event: a\n\n\n\ndata: x\n\n'])).toEqual([msg('x')])
  })

  it('end() discards an incomplete event and flushes nothing', () => {
    expect(parse(['data: a\n'])).toEqual([])
    expect(parse(['data: a'])).toEqual([])
    expect(parse(['data: a\n\ndata: b\ndata: c'])).toEqual([['event', msg('a')]])
  })

  it('feeding after end() throws', () => {
    const parser = createSseParser({ onEvent: () => {} })
    parser.end()
    expect(() => parser.feed(bytes('data: a\n\n'))).toThrow(ChainstreamError)
  })

  it('a caller reusing its chunk buffer does not corrupt a line split across chunks', () => {
    const out: string[] = []
    const parser = createSseParser({ onEvent: (m) => out.push(m.data) })
    const buffer = new Uint8Array(8)
    buffer.set(bytes('data: ab'))
    parser.feed(buffer)
    buffer.set(bytes('c\n\nxxxxx'))
    parser.feed(buffer.subarray(0, 3))
    expect(out).toEqual(['abc'])
  })

  it('empty chunks are harmless, also between a CR and its LF', () => {
    expect(events(['', 'data: a\r', '', '\n\n', ''])).toEqual([msg('a')])
  })

  it('UTF-8 characters split across chunks decode correctly', () => {
    const input = bytes('data: h€llo 😀 ü\n\n')
    const chunks = Array.from(input, (_, i) => input.subarray(i, i + 1))
    expect(events(chunks)).toEqual([msg('h€llo 😀 ü')])
  })

  it('invalid UTF-8 decodes to replacement characters', () => {
    const input = new Uint8Array([
      ...bytes('data: a'),
      0xff,
      0xe2,
      0x82,
      ...bytes('\ndata: '),
      0xc3,
      ...bytes('\n\n'),
    ])
    expect(events([input])).toEqual([msg('a\uFFFD\uFFFD\n\uFFFD')])
  })

  it('invalid UTF-8 in a Node Buffer decodes to the same replacement characters', () => {
    // Node Buffers are decoded by Node's own decoder, not TextDecoder: both must replace alike.
    const input = Buffer.from([
      ...bytes('data: a'),
      0xff,
      0xe2,
      0x82,
      0x41,
      0xf0,
      0x9f,
      0x98,
      ...bytes('\ndata: '),
      0xed,
      0xa0,
      0x80,
      0xc3,
      ...bytes('\n\n'),
    ])
    const expected = new TextDecoder()
      .decode(input.subarray(6))
      .replace(/\ndata: /, '\n')
      .replace(/\n\n$/, '')
    expect(events([input])).toEqual([msg(expected)])
    expect(events([new Uint8Array(input)])).toEqual([msg(expected)])
  })

  it('keeps its own copy of a partial line, also when the chunk is a Node Buffer', () => {
    // Buffer#slice is a view, unlike Uint8Array#slice: a caller that reuses its buffer after feed()
    // returned must not change the line the parser is still completing.
    const seen: string[] = []
    const parser = createSseParser({ onEvent: (m) => seen.push(m.data) })
    const chunk = Buffer.from('data: hello')
    parser.feed(chunk)
    chunk.fill(0x78)
    parser.feed(bytes(' world\n\n'))
    expect(seen).toEqual(['hello world'])
  })

  it('an exception in onEvent propagates out of feed and leaves the parser consistent', () => {
    const seen: string[] = []
    const parser = createSseParser({
      onEvent: (m) => {
        seen.push(m.data)
        if (m.data === 'boom') throw new Error('callback failed')
      },
    })
    expect(() => parser.feed(bytes('data: boom\n\ndata: lost\n\n'))).toThrow('callback failed')
    parser.feed(bytes('data: next\n\n'))
    expect(seen).toEqual(['boom', 'next'])
  })
})

describe('createSseParser: maxEventSize', () => {
  it('an event over the limit throws a typed EventTooLarge error naming the limit and the option', () => {
    let error: unknown
    try {
      parse([`data: ${'x'.repeat(200)}\n\n`], 100)
    } catch (err) {
      error = err
    }
    expect(isChainstreamError(error, 'EventTooLarge')).toBe(true)
    expect((error as Error).message).toContain('100 bytes')
    expect((error as Error).message).toContain('maxEventSize')
  })

  it('data buffered over several lines counts towards the limit', () => {
    const lines = `data: ${'x'.repeat(40)}\n`.repeat(5)
    expect(() => parse([lines], 150, false)).toThrow(/maximum size/)
    expect(() => parse([lines.slice(0, 3 * 47)], 150, false)).not.toThrow()
  })

  it('a stream of many small events under the limit does not throw', () => {
    const event = `event: e\ndata: ${'y'.repeat(400)}\n\n`
    const whole = bytes(event.repeat(5000))
    const out = parse(splitAt(whole, [1000, 1001, 77_777, 500_000]), 1024)
    expect(out).toHaveLength(5000)
  })

  it('an oversize event fed in many small chunks throws before more than the limit is buffered', () => {
    const limit = 1000
    const parser = createSseParser({ onEvent: () => {}, maxEventSize: limit })
    parser.feed(bytes('data: '))
    const piece = bytes('z'.repeat(10))
    let fed = 6
    let thrown: unknown
    for (let i = 0; i < 10_000 && thrown === undefined; i++) {
      try {
        parser.feed(piece)
        fed += piece.length
      } catch (err) {
        thrown = err
      }
    }
    expect(isChainstreamError(thrown, 'EventTooLarge')).toBe(true)
    // The chunk that would cross the limit is refused, so the buffer never exceeds it.
    expect(fed).toBeLessThanOrEqual(limit)
    expect(fed).toBeGreaterThan(limit - piece.length)
    // The parser stays failed.
    expect(() => parser.feed(bytes('\n\n'))).toThrow(/maximum size/)
  })

  it('the default limit is 8 MiB', () => {
    const big = bytes(`data: ${'a'.repeat(8 * 1024 * 1024 - 100)}\n\n`)
    expect(events([big])[0]?.data.length).toBe(8 * 1024 * 1024 - 100)
    const parser = createSseParser({ onEvent: () => {} })
    expect(() => parser.feed(bytes(`data: ${'a'.repeat(8 * 1024 * 1024 + 1)}`))).toThrow(/8388608 bytes/)
  })

  it('rejects a non-positive limit', () => {
    expect(() => createSseParser({ onEvent: () => {}, maxEventSize: 0 })).toThrow(/maxEventSize/)
  })
})

// Streams that stress the parser: mostly field-shaped lines (so events really dispatch), mixed with
// stray line ends, colons, spaces, BOMs, NUL and multi-byte UTF-8.
const lineEnd = fc.constantFrom('\n', '\r', '\r\n')
const valueText = fc
  .array(fc.constantFrom('a', '1', '9', ' ', ':', '\u0000', 'é', '€', '😀', '\uFEFF', '\u2028'), {
    maxLength: 6,
  })
  .map((chars) => chars.join(''))
const fieldLine = fc
  .tuple(
    fc.constantFrom('data', 'event', 'id', 'retry', '', 'dat', 'data ', 'Data', '\uFEFFdata'),
    fc.constantFrom('', ':', ': ', ':  '),
    valueText,
    lineEnd,
  )
  .map((parts) => parts.join(''))
const strayText = fc.constantFrom('\n', '\r', '\r\n', ':', ' ', 'a', '\uFEFF', '\u0000', 'é', '😀')
const streamText = fc
  .array(fc.oneof({ weight: 4, arbitrary: fieldLine }, { weight: 2, arbitrary: lineEnd }, strayText), {
    maxLength: 40,
  })
  .map((parts) => parts.join(''))
// Raw bytes too, so invalid UTF-8 next to line ends is covered.
const streamBytes = fc.oneof(
  streamText.map(bytes),
  fc
    .array(fc.oneof(streamText.map(bytes), fc.uint8Array({ maxLength: 8 })), { maxLength: 10 })
    .map((parts) => {
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
      let offset = 0
      for (const p of parts) {
        all.set(p, offset)
        offset += p.length
      }
      return all
    }),
)

describe('createSseParser: properties', () => {
  it('any split of a byte stream into chunks yields the same output as feeding it whole', () => {
    fc.assert(
      fc.property(streamBytes, fc.array(fc.nat(), { maxLength: 30 }), (input, offsets) => {
        const cuts = offsets.map((o) => o % (input.length + 1))
        expect(parse(splitAt(input, cuts))).toEqual(parse([input]))
      }),
      { numRuns: 1000 },
    )
  })

  it('byte-by-byte feeding yields the same output as feeding the stream whole', () => {
    fc.assert(
      fc.property(streamBytes, (input) => {
        const chunks = Array.from(input, (_, i) => input.subarray(i, i + 1))
        expect(parse(chunks)).toEqual(parse([input]))
      }),
      { numRuns: 300 },
    )
  })

  it('Node Buffer chunks, split anywhere, yield the same output as plain bytes', () => {
    // Node's HTTP clients hand out Buffers (decoded in place, by Node's decoder); fetch hands out
    // plain Uint8Arrays (decoded by TextDecoder): the same bytes must read the same either way.
    fc.assert(
      fc.property(streamBytes, fc.array(fc.nat(), { maxLength: 30 }), (input, offsets) => {
        const chunks = splitAt(
          input,
          offsets.map((o) => o % (input.length + 1)),
        )
        expect(parse(chunks.map((chunk) => Buffer.from(chunk)))).toEqual(referenceParse(input))
      }),
      { numRuns: 1000 },
    )
  })

  it('the output matches a naive transcription of the standard', () => {
    fc.assert(
      fc.property(streamBytes, (input) => {
        expect(parse([input])).toEqual(referenceParse(input))
      }),
      { numRuns: 1000 },
    )
  })

  // Any code point except surrogates (not representable in UTF-8) and line ends.
  const lineChar = fc.oneof(
    fc.constantFrom('a', ' ', ':', '{', '"', 'é', '€', '😀', '\uFEFF', '\u2028'),
    fc
      .integer({ min: 0, max: 0x10ffff })
      .filter((cp) => (cp < 0xd800 || cp > 0xdfff) && cp !== 0x0a && cp !== 0x0d)
      .map((cp) => String.fromCodePoint(cp)),
  )
  const line = fc.array(lineChar, { maxLength: 20 }).map((c) => c.join(''))
  const generatedEvent = fc.record({
    comments: fc.array(line, { maxLength: 2 }),
    event: fc.option(line, { nil: undefined }),
    data: fc.array(line, { minLength: 1, maxLength: 4 }).map((lines) => lines.join('\n')),
    id: fc.option(
      line.filter((s) => !s.includes('\0')),
      { nil: undefined },
    ),
    retry: fc.option(fc.nat({ max: 100_000 }), { nil: undefined }),
  })

  it('generated events round-trip: serialise, parse, same events', () => {
    fc.assert(
      fc.property(
        fc.array(generatedEvent, { maxLength: 8 }),
        fc.infiniteStream(fc.constantFrom('\n', '\r', '\r\n')),
        fc.array(fc.nat(), { maxLength: 20 }),
        (generated, lineEnds, offsets) => {
          let text = ''
          let previousEnd = ''
          const field = (content: string) => {
            let end: string = lineEnds.next().value
            // A CR followed by an empty line ended by LF reads as one CRLF: a serialiser must avoid that.
            if (previousEnd === '\r' && content === '' && end === '\n') end = '\r\n'
            text += content + end
            previousEnd = end
          }
          const expected: Output[] = []
          let lastEventId = ''
          for (const e of generated) {
            for (const c of e.comments) {
              field(':' + c)
              expected.push(['comment', c])
            }
            if (e.event !== undefined) field('event: ' + e.event)
            if (e.id !== undefined) {
              field('id: ' + e.id)
              lastEventId = e.id
            }
            if (e.retry !== undefined) {
              field('retry: ' + e.retry)
              expected.push(['retry', e.retry])
            }
            for (const d of e.data.split('\n')) field('data: ' + d)
            field('')
            const type = e.event === undefined || e.event === '' ? 'message' : e.event
            expected.push(['event', { event: type, data: e.data, lastEventId }])
          }
          const input = bytes(text)
          expect(
            parse(
              splitAt(
                input,
                offsets.map((o) => o % (input.length + 1)),
              ),
            ),
          ).toEqual(expected)
        },
      ),
      { numRuns: 500 },
    )
  })
})
