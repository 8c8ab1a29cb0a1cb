import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { issueToken, parseToken, requireExpiry, decodeSegment, goJsonStringFromBytes, MISSING_EXP_MESSAGE } from '../../lib/jwt.js'

const SECRET = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9' // podinfo's default
const ISSUED = new Date((1784715872 - 60) * 1000)
const VECTOR = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJuYW1lIjoidGVzdCIsImlzcyI6InBvZGluZm8iLCJleHAiOjE3ODQ3MTU4NzJ9.ac85mov7X9eZJ0MS5gdJ_dULKvy9QVxpUhiZ-4c51hI'

const b64 = (text: string | Buffer): string => Buffer.from(text).toString('base64url')

/** A token with any header and payload text, HMAC-signed with `secret` using `hash`. */
function forge (header: string, payload: string, secret = SECRET, hash = 'sha256'): string {
  const input = b64(header) + '.' + b64(payload)
  return input + '.' + createHmac(hash, secret).update(input).digest('base64url')
}

const HS256 = '{"alg":"HS256","typ":"JWT"}'
const message = (token: string, now = ISSUED, secret = SECRET): string => {
  const result = parseToken(secret, token, now)
  assert.equal(result.ok, false, 'token should be rejected')
  return result.ok ? '' : result.message
}

test('issueToken reproduces podinfo\'s conformance vector byte for byte', () => {
  assert.deepEqual(issueToken(SECRET, 'test', ISSUED), { token: VECTOR, exp: 1784715872 })
})

test('issueToken: exp is now + 60 s truncated to whole seconds', () => {
  const { exp } = issueToken(SECRET, 'x', new Date((1784715812 * 1000) + 999))
  assert.equal(exp, 1784715872)
})

test('issueToken escapes the name as Go does, including raw invalid UTF-8 bytes', () => {
  const { token } = issueToken(SECRET, Buffer.from([0x3c, 0x61, 0x26, 0x3e, 0x0a, 0xe2, 0x80, 0xa8, 0xff, 0xc3, 0xa9, 0xe2, 0x82]), ISSUED)
  const payload = Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8')
  assert.equal(payload, '{"name":"\\u003ca\\u0026\\u003e\\n\\u2028\\ufffd\u00e9\\ufffd\\ufffd","iss":"podinfo","exp":1784715872}')
})

test('goJsonStringFromBytes: quotes, backslashes and control characters', () => {
  assert.equal(goJsonStringFromBytes(Buffer.from('"\\\t\r\b\f\u0001\u007f')), '"\\"\\\\\\t\\r\\b\\f\\u0001\u007f"')
  assert.equal(goJsonStringFromBytes(Buffer.from('😀\ufffd')), '"😀\ufffd"')
  // overlong encodings and UTF-16 surrogates are invalid in Go too
  assert.equal(goJsonStringFromBytes(Buffer.from([0xc0, 0x80, 0xed, 0xa0, 0x80])), '"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd"')
})

test('parseToken accepts podinfo\'s own token until it expires', () => {
  assert.deepEqual(parseToken(SECRET, VECTOR, ISSUED), { ok: true, claims: { name: 'test', iss: 'podinfo', exp: 1784715872 } })
  assert.deepEqual(parseToken(SECRET, VECTOR, new Date(1784715871999)).ok, true)
})

test('parseToken: expired tokens report the Go duration since exp', () => {
  assert.equal(message(VECTOR, new Date(1784715872000)), 'token is expired by 0s')
  assert.equal(message(VECTOR, new Date(1784715872000 + 90_641)), 'token is expired by 1m30.641s')
})

test('parseToken: segment count', () => {
  assert.equal(message(''), 'token contains an invalid number of segments')
  assert.equal(message('a.b'), 'token contains an invalid number of segments')
  assert.equal(message('a.b.c.d'), 'token contains an invalid number of segments')
})

test('parseToken: base64 errors carry Go\'s byte offset', () => {
  assert.equal(message('!.b.c'), 'illegal base64 data at input byte 0')
  assert.equal(message('eyJhbGciOiJIUzI1NiJ9=.b.c'), 'illegal base64 data at input byte 20')
  assert.equal(message('abcde.b.c'), 'illegal base64 data at input byte 4')
  assert.equal(message('Bearer x.y.z'), "tokenstring should not contain 'bearer '")
  assert.equal(message(b64(HS256) + '.e*.c'), 'illegal base64 data at input byte 1')
})

test('parseToken: JSON errors', () => {
  assert.equal(message('.' + b64('{}') + '.c'), 'unexpected end of JSON input')
  assert.match(message(b64('{"alg"') + '.' + b64('{}') + '.c'), /^invalid JSON: /)
  assert.equal(message(b64('[1]') + '.' + b64('{}') + '.c'), 'json: cannot unmarshal array into Go value of type map[string]interface {}')
  assert.equal(message(b64(HS256) + '..c'), 'EOF')
  assert.equal(message(b64(HS256) + '.' + b64('"x"') + '.c'), 'json: cannot unmarshal string into Go value of type main.jwtCustomClaims')
  assert.equal(message(b64(HS256) + '.' + b64('{"name":1}') + '.c'), 'json: cannot unmarshal number into Go struct field jwtCustomClaims.name of type string')
  assert.match(message(b64(HS256) + '.' + b64('{"exp":true}') + '.c'), /^could not parse NumericData/)
})

test('parseToken: alg unspecified, unavailable, and non-HMAC (alg none, RS256) rejected before the signature', () => {
  const body = b64('{"name":"x","iss":"podinfo","exp":1784715872}')
  assert.equal(message(b64('{"typ":"JWT"}') + '.' + body + '.'), 'signing method (alg) is unspecified.')
  assert.equal(message(b64('{"alg":5}') + '.' + body + '.'), 'signing method (alg) is unspecified.')
  assert.equal(message(b64('null') + '.' + body + '.'), 'signing method (alg) is unspecified.')
  assert.equal(message(b64('{"alg":"HS1"}') + '.' + body + '.'), 'signing method (alg) is unavailable.')
  assert.equal(message(b64('{"alg":"NONE"}') + '.' + body + '.'), 'signing method (alg) is unavailable.')
  assert.equal(message(b64('{"alg":"none"}') + '.' + body + '.'), 'invalid signing method')
  assert.equal(message(b64('{"alg":"RS256"}') + '.' + body + '.' + VECTOR.split('.')[2]), 'invalid signing method')
  assert.equal(message(b64('{"alg":"ES256"}') + '.' + body + '.x'), 'invalid signing method')
})

test('parseToken: a wrong secret or a tampered payload is "signature is invalid", even when also expired', () => {
  assert.equal(message(VECTOR, ISSUED, 'another secret'), 'signature is invalid')
  assert.equal(message(VECTOR, new Date(1784715990000), 'another secret'), 'signature is invalid')
  const [h, , s] = VECTOR.split('.') as [string, string, string]
  const tampered = h + '.' + b64('{"name":"admin","iss":"podinfo","exp":1784715872}') + '.' + s
  assert.equal(message(tampered), 'signature is invalid')
  assert.equal(message(h + '.' + VECTOR.split('.')[1] + '.'), 'signature is invalid')
  assert.equal(message(h + '.' + VECTOR.split('.')[1] + '.$$'), 'illegal base64 data at input byte 0')
})

test('parseToken: HS384 and HS512 with the secret are accepted', () => {
  const payload = '{"name":"x","iss":"podinfo","exp":1784715872}'
  for (const [alg, hash] of [['HS384', 'sha384'], ['HS512', 'sha512']] as const) {
    const token = forge(`{"alg":"${alg}"}`, payload, SECRET, hash)
    assert.deepEqual(parseToken(SECRET, token, ISSUED), { ok: true, claims: { name: 'x', iss: 'podinfo', exp: 1784715872 } })
  }
  // an HS384 header over an HS256 signature does not verify
  assert.equal(message(forge('{"alg":"HS384"}', payload)), 'signature is invalid')
})

test('parseToken: iat and nbf in the future, last failing check wins', () => {
  const now = Math.floor(ISSUED.getTime() / 1000)
  assert.equal(message(forge(HS256, `{"exp":${now + 60},"iat":${now + 1}}`)), 'token used before issued')
  assert.equal(message(forge(HS256, `{"exp":${now + 60},"nbf":${now + 1}}`)), 'token is not valid yet')
  assert.equal(message(forge(HS256, `{"exp":${now - 1},"iat":${now + 1},"nbf":${now + 1}}`)), 'token is not valid yet')
  assert.equal(message(forge(HS256, `{"exp":${now - 1},"iat":${now + 1}}`)), 'token used before issued')
  assert.equal(parseToken(SECRET, forge(HS256, `{"exp":${now + 60},"iat":${now},"nbf":${now}}`), ISSUED).ok, true)
})

test('parseToken: Go decoding details (case-insensitive keys, null claims, trailing data after the claims)', () => {
  assert.deepEqual(parseToken(SECRET, forge(HS256, '{"NAME":"n","Iss":"podinfo","EXP":1784715872.9}'), ISSUED),
    { ok: true, claims: { name: 'n', iss: 'podinfo', exp: 1784715872 } })
  assert.deepEqual(parseToken(SECRET, forge(HS256, '{"name":null,"exp":"1784715872"} trailing'), ISSUED),
    { ok: true, claims: { exp: 1784715872 } })
})

test('requireExpiry refuses a valid token without exp (podinfo would crash)', () => {
  const result = parseToken(SECRET, forge(HS256, '{"name":"x","iss":"podinfo"}'), ISSUED)
  assert.ok(result.ok)
  assert.equal(requireExpiry(result.claims), MISSING_EXP_MESSAGE)
  assert.equal(requireExpiry({ exp: 1 }), undefined)
})

test('decodeSegment mirrors Go\'s RawURLEncoding', () => {
  assert.deepEqual(decodeSegment('aGk'), Buffer.from('hi'))
  assert.deepEqual(decodeSegment('aG\nk'), Buffer.from('hi'))
  assert.equal(decodeSegment('a'), 'illegal base64 data at input byte 0')
  assert.equal(decodeSegment('aGk='), 'illegal base64 data at input byte 3')
  assert.equal(decodeSegment('aGk+'), 'illegal base64 data at input byte 3')
})
