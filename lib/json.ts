import { isUtf8 } from 'node:buffer'

/**
 * podinfo's JSON, byte for byte (spec §4.6): Go's `json.MarshalIndent` with two spaces, no
 * trailing newline, and Go's string escaping (`<`, `>`, `&`, U+2028 and U+2029 escaped,
 * invalid UTF-16 replaced by U+FFFD).
 *
 * `compileGoJson(schema)` turns a TypeBox/JSON schema into a serializer that writes only the
 * schema's properties, in the schema's order; objects described only by
 * `additionalProperties` (Go maps) are written with their keys sorted byte-wise, as Go does.
 */

export interface JsonSchemaLike {
  type?: string | string[]
  properties?: Record<string, JsonSchemaLike>
  additionalProperties?: boolean | JsonSchemaLike
  items?: JsonSchemaLike
  [key: string]: unknown
}

type Writer = (value: unknown, indent: string) => string

// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f<>&\u2028\u2029\ud800-\udfff]/

/**
 * A JSON string literal escaped exactly as Go's encoding/json does it. Lone surrogates stand
 * for bytes that are not valid UTF-8 (see `goBytes`) and are written as `\ufffd`.
 */
export function goString (text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return '"' + text + '"'
  let out = '"'
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    let rep: string | undefined
    if (c < 0x20 || c === 0x22 || c === 0x5c || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) {
      rep = ESCAPES[c] ?? '\\u' + c.toString(16).padStart(4, '0')
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = text.charCodeAt(i + 1)
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++ // a valid surrogate pair: emitted as is
        continue
      }
      rep = '\\ufffd' // Go writes an invalid byte as the escape text, not the character
    }
    if (rep !== undefined) {
      out += text.slice(start, i) + rep
      start = i + 1
    }
  }
  return out + text.slice(start) + '"'
}

/**
 * Go's view of raw bytes as a string: valid UTF-8 is decoded, and every byte that
 * `utf8.DecodeRune` rejects (one at a time, so a truncated sequence is several bytes) becomes
 * a lone surrogate, which `goString` writes as `\ufffd`, as Go's encoder does.
 */
export function goBytes (bytes: Uint8Array): string {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (isUtf8(buf)) return buf.toString('utf8')
  let out = ''
  let start = 0
  let i = 0
  while (i < buf.length) {
    const b = buf[i] as number
    if (b < 0x80) { i++; continue }
    const size = runeSize(buf, i)
    if (size > 0) { i += size; continue }
    out += buf.toString('utf8', start, i) + String.fromCharCode(0xdc00 + b)
    i++
    start = i
  }
  return out + buf.toString('utf8', start)
}

/** The length of the valid UTF-8 sequence at `i` (lead byte ≥ 0x80), or 0 (utf8.DecodeRune). */
function runeSize (buf: Buffer, i: number): number {
  const b0 = buf[i] as number
  const ok = (k: number, lo = 0x80, hi = 0xbf): boolean => {
    const b = buf[i + k]
    return b !== undefined && b >= lo && b <= hi
  }
  if (b0 >= 0xc2 && b0 <= 0xdf) return ok(1) ? 2 : 0
  if (b0 >= 0xe0 && b0 <= 0xef) return ok(1, b0 === 0xe0 ? 0xa0 : 0x80, b0 === 0xed ? 0x9f : 0xbf) && ok(2) ? 3 : 0
  if (b0 >= 0xf0 && b0 <= 0xf4) return ok(1, b0 === 0xf0 ? 0x90 : 0x80, b0 === 0xf4 ? 0x8f : 0xbf) && ok(2) && ok(3) ? 4 : 0
  return 0
}

const ESCAPES: Record<number, string> = {
  0x22: '\\"',
  0x5c: '\\\\',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
  0x08: '\\b',
  0x0c: '\\f'
}

function scalar (value: unknown): string {
  switch (typeof value) {
    case 'string': return goString(value)
    case 'number': return Number.isFinite(value) ? String(value) : 'null'
    case 'bigint': return value.toString()
    case 'boolean': return value ? 'true' : 'false'
    default: return 'null'
  }
}

/** Pretty JSON for a value without a schema: objects keep their insertion order. */
export function goJson (value: unknown, indent = ''): string {
  if (value === null || typeof value !== 'object') return scalar(value)
  if (Buffer.isBuffer(value)) return goString(goBytes(value))
  const inner = indent + '  '
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    let out = '['
    for (let i = 0; i < value.length; i++) {
      out += (i === 0 ? '\n' : ',\n') + inner + goJson(value[i], inner)
    }
    return out + '\n' + indent + ']'
  }
  const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined)
  if (keys.length === 0) return '{}'
  let out = '{'
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string
    out += (i === 0 ? '\n' : ',\n') + inner + goString(key) + ': ' + goJson((value as Record<string, unknown>)[key], inner)
  }
  return out + '\n' + indent + '}'
}

function compileNode (schema: JsonSchemaLike | undefined): Writer {
  if (schema === undefined) return goJson
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  if (type === 'array') {
    const item = compileNode(schema.items)
    return (value, indent) => {
      if (!Array.isArray(value)) return goJson(value, indent)
      if (value.length === 0) return '[]'
      const inner = indent + '  '
      let out = '['
      for (let i = 0; i < value.length; i++) out += (i === 0 ? '\n' : ',\n') + inner + item(value[i], inner)
      return out + '\n' + indent + ']'
    }
  }
  if (type === 'object' && schema.properties !== undefined && Object.keys(schema.properties).length > 0) {
    const fields = Object.entries(schema.properties).map(([key, sub]) => ({
      key,
      literal: goString(key) + ': ',
      write: compileNode(sub)
    }))
    return (value, indent) => {
      if (value === null || typeof value !== 'object') return goJson(value, indent)
      const record = value as Record<string, unknown>
      const inner = indent + '  '
      let out = ''
      for (const field of fields) {
        const v = record[field.key]
        if (v === undefined) continue
        out += (out === '' ? '{\n' : ',\n') + inner + field.literal + field.write(v, inner)
      }
      return out === '' ? '{}' : out + '\n' + indent + '}'
    }
  }
  if (type === 'object') {
    const extra = schema.additionalProperties
    const write = typeof extra === 'object' ? compileNode(extra) : goJson
    return (value, indent) => {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return goJson(value, indent)
      const record = value as Record<string, unknown>
      const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort(byteOrder)
      if (keys.length === 0) return '{}'
      const inner = indent + '  '
      let out = '{'
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as string
        out += (i === 0 ? '\n' : ',\n') + inner + goString(key) + ': ' + write(record[key], inner)
      }
      return out + '\n' + indent + '}'
    }
  }
  return (value, indent) => (value !== null && typeof value === 'object') ? goJson(value, indent) : scalar(value)
}

/** Byte-wise (UTF-8) comparison, which for keys is the same as UTF-16 code unit order in practice. */
export function byteOrder (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** A serializer for one response schema: the schema filters and orders, Go formats. */
export function compileGoJson (schema?: object): (value: unknown) => string {
  const write = compileNode(schema as JsonSchemaLike | undefined)
  return (value) => write(value, '')
}

/**
 * A serializer that returns the JSON it wrote last when it is handed the same frozen object
 * again (a frozen object cannot have changed since). For routes that serve one object many
 * times over, such as the runtime information of `GET /` (lib/info.ts).
 */
export function lastWritten (write: (value: unknown) => string): (value: unknown) => string {
  // The last value written when it was a frozen object (checked once: it cannot thaw).
  let last: object | null = null
  let json = ''
  return (value) => {
    if (value === last && last !== null) return json
    json = write(value)
    last = typeof value === 'object' && value !== null && Object.isFrozen(value) ? value : null
    return json
  }
}

/** Go's compact `json.Marshal` (used for the WebSocket and JWT payloads). */
export function goCompact (value: unknown): string {
  if (value === null || typeof value !== 'object') return scalar(value)
  if (Array.isArray(value)) return '[' + value.map(goCompact).join(',') + ']'
  const record = value as Record<string, unknown>
  const parts: string[] = []
  for (const key of Object.keys(record)) {
    if (record[key] !== undefined) parts.push(goString(key) + ':' + goCompact(record[key]))
  }
  return '{' + parts.join(',') + '}'
}
