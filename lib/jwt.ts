import { createHmac, timingSafeEqual } from 'node:crypto'
import { formatGoDuration } from './duration.js'

/**
 * podinfo's JWTs, byte for byte (spec §6.15), with no Fastify in sight so HTTP and gRPC
 * share it.
 *
 * Why not fast-jwt (what @fastify/jwt wraps) for the podinfo routes: podinfo's tokens and
 * error texts come from golang-jwt v4, and clients compare both. fast-jwt writes `<>&`
 * unescaped, adds `iat`, and words its errors differently. So the exact bytes and messages
 * live here; plugins/jwt.ts registers @fastify/jwt with the same secret and RFC 8725 settings
 * for routes that are not podinfo's.
 *
 * RFC 8725 in this file: the key is always the configured secret (never read from the
 * token), only HS256/HS384/HS512 verify (`none` and every other algorithm are refused
 * before the signature or the claims are looked at), signatures are compared in constant
 * time. `exp` is optional here exactly as in golang-jwt; callers require it with
 * `requireExpiry` (podinfo crashes on such tokens, we refuse them).
 */

export interface TokenClaims {
  name?: string
  iss?: string
  exp?: number
}

export type ParseResult =
  | { ok: true, claims: TokenClaims }
  | { ok: false, message: string }

/** The token lifetime podinfo gives: one minute. */
export const TOKEN_TTL_SECONDS = 60
export const ISSUER = 'podinfo'

/** Our answer to a token podinfo would crash on (valid signature, no `exp`). */
export const MISSING_EXP_MESSAGE = 'token has no expiry: the exp claim is required'

/** base64url of `{"alg":"HS256","typ":"JWT"}`: podinfo's only header. */
const HS256_HEADER = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9'

const HMAC_HASH: Record<string, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }

/** Every `alg` golang-jwt v4 knows; any other value is "unavailable". */
const KNOWN_ALGS = new Set([
  'HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512',
  'ES256', 'ES384', 'ES512', 'EdDSA', 'none'
])

/**
 * A podinfo token for `name`: HS256, header `{"alg":"HS256","typ":"JWT"}`, payload
 * `{"name":…,"iss":"podinfo","exp":…}` with Go's JSON escaping, `exp` = now + 60 s in
 * whole seconds. `name` may be the raw request body: its bytes are escaped as Go does
 * (invalid UTF-8 becomes `\ufffd`).
 */
export function issueToken (secret: string, name: string | Uint8Array, now: Date = new Date()): { token: string, exp: number } {
  const exp = Math.floor(now.getTime() / 1000) + TOKEN_TTL_SECONDS
  const bytes = typeof name === 'string' ? Buffer.from(name, 'utf8') : name
  const payload = '{"name":' + goJsonStringFromBytes(bytes) + ',"iss":"' + ISSUER + '","exp":' + String(exp) + '}'
  const signingInput = HS256_HEADER + '.' + Buffer.from(payload, 'utf8').toString('base64url')
  const signature = createHmac('sha256', Buffer.from(secret, 'utf8')).update(signingInput).digest('base64url')
  return { token: signingInput + '.' + signature, exp }
}

/**
 * Parses and verifies a token exactly as podinfo does (golang-jwt v4.5 `ParseWithClaims`
 * with a HMAC-only key function), returning golang-jwt's error text on failure, in its
 * order: segments, base64, JSON, alg, signing method, then claims and signature (a bad
 * signature wins over expired/not-yet-valid claims). `iss` is returned, not checked.
 */
export function parseToken (secret: string, token: string, now: Date = new Date()): ParseResult {
  const parts = token.split('.')
  if (parts.length !== 3) return fail('token contains an invalid number of segments')
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string]

  const headerBytes = decodeSegment(headerPart)
  if (typeof headerBytes === 'string') {
    if (token.toLowerCase().startsWith('bearer ')) return fail("tokenstring should not contain 'bearer '")
    return fail(headerBytes)
  }
  const header = parseJson(headerBytes, true)
  if (!header.ok) return fail(header.message)
  if (header.value !== null && (typeof header.value !== 'object' || Array.isArray(header.value))) {
    return fail(`json: cannot unmarshal ${jsonKind(header.value)} into Go value of type map[string]interface {}`)
  }

  const payloadBytes = decodeSegment(payloadPart)
  if (typeof payloadBytes === 'string') return fail(payloadBytes)
  const payload = parseJson(payloadBytes, false)
  if (!payload.ok) return fail(payload.message)
  const decoded = decodeClaims(payload.value)
  if (typeof decoded === 'string') return fail(decoded)

  const alg = (header.value as Record<string, unknown> | null)?.alg
  if (typeof alg !== 'string') return fail('signing method (alg) is unspecified.')
  if (!KNOWN_ALGS.has(alg)) return fail('signing method (alg) is unavailable.')
  const hash = HMAC_HASH[alg]
  if (hash === undefined) return fail('invalid signing method')

  // Claims first, then the signature, whose error replaces theirs (golang-jwt's `Inner`).
  let message: string | undefined
  const nowMs = now.getTime()
  if (decoded.exp !== undefined && nowMs >= decoded.exp * 1000) {
    message = 'token is expired by ' + formatGoDuration(nowMs - decoded.exp * 1000)
  }
  if (decoded.iat !== undefined && nowMs < decoded.iat * 1000) message = 'token used before issued'
  if (decoded.nbf !== undefined && nowMs < decoded.nbf * 1000) message = 'token is not valid yet'

  const signature = decodeSegment(signaturePart)
  if (typeof signature === 'string') return fail(signature)
  const expected = createHmac(hash, Buffer.from(secret, 'utf8')).update(headerPart + '.' + payloadPart).digest()
  if (!constantTimeEqual(signature, expected)) return fail('signature is invalid')

  if (message !== undefined) return fail(message)
  const claims: TokenClaims = {}
  if (decoded.name !== undefined) claims.name = decoded.name
  if (decoded.iss !== undefined) claims.iss = decoded.iss
  if (decoded.exp !== undefined) claims.exp = decoded.exp
  return { ok: true, claims }
}

/**
 * RFC 8725 on top of golang-jwt: a token that verified but carries no `exp` is refused
 * (podinfo would crash on it). Returns the message to report, or undefined when fine.
 */
export function requireExpiry (claims: TokenClaims): string | undefined {
  return claims.exp === undefined ? MISSING_EXP_MESSAGE : undefined
}

function fail (message: string): ParseResult {
  return { ok: false, message }
}

function constantTimeEqual (a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) {
    timingSafeEqual(b, b) // same work whatever the length, like Go's hmac.Equal
    return false
  }
  return timingSafeEqual(a, b)
}

// ---------------------------------------------------------------------------------------
// Go's base64.RawURLEncoding.DecodeString (non-strict: CR/LF skipped, unused trailing bits
// ignored), with its error text.

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const B64_VALUE = new Int16Array(256).fill(-1)
for (let i = 0; i < B64URL.length; i++) B64_VALUE[B64URL.charCodeAt(i)] = i

/** Returns the bytes, or Go's error message. */
export function decodeSegment (segment: string): Buffer | string {
  const src = Buffer.from(segment, 'utf8')
  const out: number[] = []
  let si = 0
  while (si < src.length) {
    const quad: number[] = []
    let j = 0
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return Buffer.from(out)
        if (j === 1) return corrupt(si - j)
        break
      }
      const byte = src[si] as number
      si++
      const value = B64_VALUE[byte] as number
      if (value >= 0) {
        quad[j] = value
        continue
      }
      if (byte === 0x0a || byte === 0x0d) {
        j--
        continue
      }
      return corrupt(si - 1) // no padding character in the raw alphabet
    }
    const val = ((quad[0] ?? 0) << 18) | ((quad[1] ?? 0) << 12) | ((quad[2] ?? 0) << 6) | (quad[3] ?? 0)
    out.push((val >> 16) & 0xff)
    if (j >= 3) out.push((val >> 8) & 0xff)
    if (j === 4) out.push(val & 0xff)
  }
  return Buffer.from(out)
}

function corrupt (offset: number): string {
  return `illegal base64 data at input byte ${offset}`
}

// ---------------------------------------------------------------------------------------
// JSON as golang-jwt reads it: the header with json.Unmarshal (the whole input), the claims
// with a json.Decoder (the first value; anything after it is never read).

type JsonResult = { ok: true, value: unknown } | { ok: false, message: string }

function parseJson (bytes: Buffer, whole: boolean): JsonResult {
  const text = bytes.toString('utf8')
  if (text.trim() === '') return { ok: false, message: whole ? 'unexpected end of JSON input' : 'EOF' }
  const source = whole ? text : text.slice(0, firstValueEnd(text))
  try {
    return { ok: true, value: JSON.parse(source) }
  } catch (err) {
    return { ok: false, message: 'invalid JSON: ' + (err as Error).message }
  }
}

/** Where the first JSON value in `text` ends (or text.length if it never does). */
function firstValueEnd (text: string): number {
  let i = 0
  while (i < text.length && ' \t\r\n'.includes(text[i] as string)) i++
  const first = text[i]
  if (first !== '{' && first !== '[' && first !== '"') {
    while (i < text.length && /[A-Za-z0-9.+-]/.test(text[i] as string)) i++
    return i
  }
  let depth = 0
  let inString = false
  for (; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') {
        inString = false
        if (depth === 0) return i + 1
      }
    } else if (c === '"') inString = true
    else if (c === '{' || c === '[') depth++
    else if (c === '}' || c === ']') {
      depth--
      if (depth === 0) return i + 1
    }
  }
  return text.length
}

interface DecodedClaims {
  name?: string
  iss?: string
  exp?: number
  iat?: number
  nbf?: number
}

const STRING_CLAIMS = new Set(['name', 'iss', 'sub', 'jti'])
const DATE_CLAIMS = new Set(['exp', 'iat', 'nbf'])

/**
 * The claims struct podinfo decodes into (`name` + golang-jwt's RegisteredClaims): keys match
 * case-insensitively as in encoding/json, unknown keys are ignored, a wrong type is an error,
 * `null` leaves a claim unset, dates are whole seconds.
 */
function decodeClaims (value: unknown): DecodedClaims | string {
  if (value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) {
    return `json: cannot unmarshal ${jsonKind(value)} into Go value of type main.jwtCustomClaims`
  }
  const claims: Record<string, string | number | undefined> = {}
  for (const [rawKey, v] of Object.entries(value as Record<string, unknown>)) {
    const key = rawKey.toLowerCase()
    if (v === null) {
      claims[key] = undefined
    } else if (STRING_CLAIMS.has(key)) {
      if (typeof v !== 'string') return `json: cannot unmarshal ${jsonKind(v)} into Go struct field jwtCustomClaims.${key} of type string`
      claims[key] = v
    } else if (key === 'aud') {
      if (typeof v !== 'string' && !(Array.isArray(v) && v.every((s) => typeof s === 'string'))) return 'invalid type for claim'
    } else if (DATE_CLAIMS.has(key)) {
      const seconds = typeof v === 'number' ? v : (typeof v === 'string' && /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(v)) ? Number(v) : NaN
      if (!Number.isFinite(seconds)) return `could not parse NumericData: json: cannot unmarshal ${jsonKind(v)} into Go value of type json.Number`
      claims[key] = Math.floor(seconds)
    }
  }
  const out: DecodedClaims = {}
  if (typeof claims.name === 'string') out.name = claims.name
  if (typeof claims.iss === 'string') out.iss = claims.iss
  if (typeof claims.exp === 'number') out.exp = claims.exp
  if (typeof claims.iat === 'number') out.iat = claims.iat
  if (typeof claims.nbf === 'number') out.nbf = claims.nbf
  return out
}

function jsonKind (value: unknown): string {
  if (Array.isArray(value)) return 'array'
  if (value === null) return 'null'
  if (typeof value === 'object') return 'object'
  return typeof value // string, number, boolean
}

// ---------------------------------------------------------------------------------------
// Go's encoding/json string escaping over raw bytes.

const SHORT_ESCAPES: Record<number, string> = {
  0x22: '\\"', 0x5c: '\\\\', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x08: '\\b', 0x0c: '\\f'
}

/**
 * A JSON string literal for `bytes` exactly as Go's json.Marshal writes a string holding
 * them: `<>&` and U+2028/U+2029 as `\uXXXX`, control characters escaped, and each byte that
 * does not start a valid UTF-8 sequence as `\ufffd` (utf8.DecodeRune's one-byte error).
 */
export function goJsonStringFromBytes (bytes: Uint8Array): string {
  let out = '"'
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i] as number
    if (b < 0x80) {
      if (SHORT_ESCAPES[b] !== undefined) out += SHORT_ESCAPES[b]
      else if (b < 0x20 || b === 0x3c || b === 0x3e || b === 0x26) out += '\\u00' + b.toString(16).padStart(2, '0')
      else out += String.fromCharCode(b)
      i++
      continue
    }
    const [rune, size] = decodeRune(bytes, i)
    if (rune < 0) out += '\\ufffd'
    else if (rune === 0x2028 || rune === 0x2029) out += '\\u' + rune.toString(16)
    else out += String.fromCodePoint(rune)
    i += size
  }
  return out + '"'
}

/** utf8.DecodeRune for a non-ASCII lead byte: [rune, size], or [-1, 1] when invalid. */
function decodeRune (bytes: Uint8Array, i: number): [number, number] {
  const b0 = bytes[i] as number
  const cont = (k: number, lo = 0x80, hi = 0xbf): number => {
    const b = bytes[i + k]
    return b !== undefined && b >= lo && b <= hi ? b & 0x3f : -1
  }
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    const c1 = cont(1)
    return c1 < 0 ? [-1, 1] : [((b0 & 0x1f) << 6) | c1, 2]
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const c1 = cont(1, b0 === 0xe0 ? 0xa0 : 0x80, b0 === 0xed ? 0x9f : 0xbf)
    const c2 = cont(2)
    return c1 < 0 || c2 < 0 ? [-1, 1] : [((b0 & 0x0f) << 12) | (c1 << 6) | c2, 3]
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const c1 = cont(1, b0 === 0xf0 ? 0x90 : 0x80, b0 === 0xf4 ? 0x8f : 0xbf)
    const c2 = cont(2)
    const c3 = cont(3)
    return c1 < 0 || c2 < 0 || c3 < 0 ? [-1, 1] : [((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3, 4]
  }
  return [-1, 1]
}
