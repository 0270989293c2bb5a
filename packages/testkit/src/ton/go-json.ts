/**
 * Decodes request JSON into a flat record and reports failures with the wording of Go's `encoding/json`,
 * because the real server puts those messages verbatim into its error responses
 * (`invalid subscription request: json: cannot unmarshal number into Go struct field …`).
 * The prefix and the type errors are exact; syntax-error details are a close approximation.
 */

/** How one struct field decodes. */
export type GoFieldKind =
  | { kind: 'string'; goType: string }
  | { kind: 'strings'; goType: string; elemGoType: string }
  | { kind: 'bool' }
  | { kind: 'finality' }

/** A Go struct: its name as Go prints it in errors, and its JSON fields. */
export interface GoStruct {
  /** e.g. `SSERequest` (in field errors). */
  name: string
  /** e.g. `v2.SSERequest` (when the whole value has the wrong type). */
  qualifiedName: string
  fields: Record<string, GoFieldKind>
}

export type GoDecodeResult = { ok: true; value: Record<string, unknown> } | { ok: false; error: string }

const jsonKind = (value: unknown): string => {
  if (Array.isArray(value)) return 'array'
  if (value === null) return 'null'
  if (typeof value === 'object') return 'object'
  if (typeof value === 'boolean') return 'bool'
  return typeof value // string | number
}

/** Go's message for text that is not JSON at all. */
export function goSyntaxError(text: string): string {
  const start = text.search(/\S/)
  if (start === -1) return 'unexpected end of JSON input'
  const first = text[start] as string
  if (!/[{["\-0-9tfn]/.test(first)) return `invalid character '${first}' looking for beginning of value`
  try {
    JSON.parse(text)
  } catch (error) {
    const message = error instanceof Error ? error.message : ''
    if (/end of (JSON|data)/i.test(message)) return 'unexpected end of JSON input'
    const position = /position (\d+)/.exec(message)
    const at = position ? Number(position[1]) : -1
    const char = at >= 0 ? text[at] : undefined
    if (char === undefined) return 'unexpected end of JSON input'
    return `invalid character '${char}' looking for beginning of value`
  }
  return 'unexpected end of JSON input'
}

/**
 * Parses `text` and checks it against `struct`. Like Go: unknown fields are ignored, field names match
 * case-insensitively, `null` leaves a field unset, the first type error is reported after decoding, and
 * an error from a custom decoder (`min_finality`) is reported at once.
 */
export function decodeGoJson(text: string, struct: GoStruct): GoDecodeResult {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return { ok: false, error: goSyntaxError(text) }
  }
  if (parsed === null) return { ok: true, value: {} }
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    return {
      ok: false,
      error: `json: cannot unmarshal ${jsonKind(parsed)} into Go value of type ${struct.qualifiedName}`,
    }
  }
  const value: Record<string, unknown> = {}
  let typeError: string | undefined
  const fieldError = (field: string, kind: string, goType: string) => {
    typeError ??= `json: cannot unmarshal ${kind} into Go struct field ${struct.name}.${field} of type ${goType}`
  }
  for (const [key, raw] of Object.entries(parsed as Record<string, unknown>)) {
    const name = fieldName(struct, key)
    if (name === undefined || raw === null) continue
    const field = struct.fields[name] as GoFieldKind
    switch (field.kind) {
      case 'string':
        if (typeof raw === 'string') value[name] = raw
        else fieldError(name, jsonKind(raw), field.goType)
        break
      case 'bool':
        if (typeof raw === 'boolean') value[name] = raw
        else fieldError(name, jsonKind(raw), 'bool')
        break
      case 'strings': {
        if (!Array.isArray(raw)) {
          fieldError(name, jsonKind(raw), field.goType)
          break
        }
        const items: string[] = []
        for (const item of raw) {
          // Go decodes a null element to the zero value, an empty string.
          if (item === null) items.push('')
          else if (typeof item === 'string') items.push(item)
          else fieldError(name, jsonKind(item), field.elemGoType)
        }
        value[name] = items
        break
      }
      case 'finality':
        if (typeof raw !== 'string')
          return { ok: false, error: `json: cannot unmarshal ${jsonKind(raw)} into Go value of type string` }
        if (raw !== 'pending' && raw !== 'confirmed' && raw !== 'finalized') {
          return { ok: false, error: `unknown finality state: ${raw}` }
        }
        value[name] = raw
        break
    }
  }
  return typeError === undefined ? { ok: true, value } : { ok: false, error: typeError }
}

function fieldName(struct: GoStruct, key: string): string | undefined {
  if (Object.hasOwn(struct.fields, key)) return key
  const lower = key.toLowerCase()
  return Object.keys(struct.fields).find((name) => name.toLowerCase() === lower)
}

/**
 * Serialises like Go's `json.Marshal`: `<`, `>`, `&`, U+2028 and U+2029 are escaped. Map-like objects must
 * already have sorted keys (Go sorts map keys); struct-like objects keep their field order.
 */
export function goJsonStringify(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

/** Returns a copy of a map with its keys sorted, as Go writes maps. */
export function sortedMap<T>(map: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {}
  for (const key of Object.keys(map).sort()) out[key] = map[key] as T
  return out
}
