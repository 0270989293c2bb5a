import { describe, expect, it } from 'vitest'
import { decodeGoJson, goJsonStringify, goSyntaxError } from './go-json.js'
import { SSE_REQUEST, WS_ENVELOPE } from './subscription.js'

describe('Go-style JSON decoding', () => {
  it('reports the first type error with the struct and field', () => {
    expect(decodeGoJson('{"types":[1],"id":2}', SSE_REQUEST)).toEqual({
      ok: false,
      error: 'json: cannot unmarshal number into Go struct field SSERequest.types of type v2.EventType',
    })
    expect(decodeGoJson('{"operation":true}', WS_ENVELOPE)).toEqual({
      ok: false,
      error: 'json: cannot unmarshal bool into Go struct field Envelope.operation of type v2.Operation',
    })
    expect(decodeGoJson('"x"', WS_ENVELOPE)).toEqual({
      ok: false,
      error: 'json: cannot unmarshal string into Go value of type v2.Envelope',
    })
  })

  it('matches field names case-insensitively, ignores unknown fields and nulls', () => {
    expect(decodeGoJson('{"Types":["trace"],"extra":1,"id":null}', SSE_REQUEST)).toEqual({
      ok: true,
      value: { types: ['trace'] },
    })
    expect(decodeGoJson('null', SSE_REQUEST)).toEqual({ ok: true, value: {} })
  })

  it('fails min_finality at once with the custom decoder message', () => {
    expect(decodeGoJson('{"id":1,"min_finality":"later"}', SSE_REQUEST)).toEqual({
      ok: false,
      error: 'unknown finality state: later',
    })
    expect(decodeGoJson('{"min_finality":2}', SSE_REQUEST)).toEqual({
      ok: false,
      error: 'json: cannot unmarshal number into Go value of type string',
    })
  })

  it('approximates syntax errors', () => {
    expect(goSyntaxError('')).toBe('unexpected end of JSON input')
    expect(goSyntaxError('{"a":')).toBe('unexpected end of JSON input')
    expect(goSyntaxError('xyz')).toBe("invalid character 'x' looking for beginning of value")
  })

  it('escapes like Go’s encoder', () => {
    expect(goJsonStringify({ a: '<b>&\u2028' })).toBe('{"a":"\\u003cb\\u003e\\u0026\\u2028"}')
  })
})
