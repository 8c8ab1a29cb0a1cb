import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Type } from 'typebox'
import { byteOrder, compileGoJson, goBytes, goCompact, goJson, goString, lastWritten } from '../../lib/json.js'
import { RuntimeResponseSchema } from '../../schemas/info.js'
import { HeadersResponseSchema } from '../../schemas/env.js'

test('goString escapes like Go encoding/json: <>&, U+2028/2029, control characters', () => {
  assert.equal(goString('plain'), '"plain"')
  assert.equal(goString('<script>&</script>'), '"\\u003cscript\\u003e\\u0026\\u003c/script\\u003e"')
  assert.equal(goString('a\u2028b\u2029c'), '"a\\u2028b\\u2029c"')
  assert.equal(goString('"\\'), '"\\"\\\\"')
  assert.equal(goString('\n\r\t'), '"\\n\\r\\t"')
  // Go 1.22+ writes \b and \f short; every other control character as lower-case \u00xx
  assert.equal(goString('\b\f'), '"\\b\\f"')
  assert.equal(goString('\u0000\u0001\u001f\u001b'), '"\\u0000\\u0001\\u001f\\u001b"')
  // DEL, non-ASCII and valid astral characters are written as UTF-8, not escaped
  assert.equal(goString('\u007f é ✓ 😀'), '"\u007f é ✓ 😀"')
  assert.equal(Buffer.byteLength(goString('😀')), 6)
})

test('goString writes lone surrogates as the escape text \\ufffd, as Go writes invalid bytes', () => {
  assert.equal(goString('a\ud800b'), '"a\\ufffdb"')
  assert.equal(goString('a\udc00'), '"a\\ufffd"')
  assert.equal(goString('\ude00\ud83d'), '"\\ufffd\\ufffd"') // a reversed pair is two errors
  // a real U+FFFD character stays a character
  assert.equal(goString('\ufffd'), '"\ufffd"')
})

test('goBytes decodes raw bytes one invalid byte at a time, as utf8.DecodeRune', () => {
  const json = (bytes: number[]): string => goString(goBytes(Buffer.from(bytes)))
  assert.equal(json([0x61, 0xc3, 0xa9]), '"aé"')
  assert.equal(json([0x61, 0xff, 0x62]), '"a\\ufffdb"')
  // a truncated 3-byte sequence is two errors in Go (WHATWG decoding would give one)
  assert.equal(json([0x61, 0xe2, 0x82, 0x62]), '"a\\ufffd\\ufffdb"')
  assert.equal(json([0xe2, 0x82]), '"\\ufffd\\ufffd"')
  // overlong encodings and UTF-8-encoded surrogates are invalid byte by byte
  assert.equal(json([0xc0, 0x80]), '"\\ufffd\\ufffd"')
  assert.equal(json([0xed, 0xa0, 0x80]), '"\\ufffd\\ufffd\\ufffd"')
  assert.equal(json([0xf4, 0x90, 0x80, 0x80]), '"\\ufffd\\ufffd\\ufffd\\ufffd"')
  assert.equal(json([0xf0, 0x9f, 0x98, 0x80, 0x3c]), '"😀\\u003c"')
  assert.equal(json([0xe2, 0x80, 0xa8]), '"\\u2028"')
  assert.equal(goBytes(Buffer.from('plain ✓')), 'plain ✓')
  assert.equal(goJson(Buffer.from([0x80])), '"\\ufffd"')
})

test('goJson pretty-prints with two spaces, ": " and no trailing newline', () => {
  assert.equal(goJson({ a: 1, b: [true, null, 'x'], c: {}, d: [] }),
    '{\n  "a": 1,\n  "b": [\n    true,\n    null,\n    "x"\n  ],\n  "c": {},\n  "d": []\n}')
  assert.equal(goJson([[1, 2], { k: 'v' }]), '[\n  [\n    1,\n    2\n  ],\n  {\n    "k": "v"\n  }\n]')
  assert.equal(goJson({}), '{}')
  assert.equal(goJson([]), '[]')
  assert.equal(goJson('<'), '"\\u003c"')
  assert.equal(goJson({ skip: undefined, keep: 0 }), '{\n  "keep": 0\n}')
  assert.equal(goJson(9223372036854775807n), '9223372036854775807')
})

test('compileGoJson writes record fields in schema order and drops unknown ones', () => {
  const write = compileGoJson(RuntimeResponseSchema)
  const value = Object.fromEntries(Object.keys(RuntimeResponseSchema.properties).reverse().map((k) => [k, k]))
  const out = write({ ...value, extra: 'dropped' })
  assert.deepEqual([...out.matchAll(/^ {2}"(\w+)":/gm)].map((m) => m[1]), [
    'hostname', 'version', 'revision', 'color', 'logo', 'message', 'goos', 'goarch', 'runtime', 'num_goroutine', 'num_cpu'
  ])
  assert.doesNotMatch(out, /extra/)
  assert.equal(compileGoJson(Type.Object({ a: Type.String() }))({}), '{}')
})

test('compileGoJson writes maps with keys sorted byte-wise, nested values indented', () => {
  const write = compileGoJson(HeadersResponseSchema)
  assert.equal(write({ b: ['2'], B: ['1'], _: [], 'X-Test': ['a', 'b'], a: ['<'] }),
    '{\n  "B": [\n    "1"\n  ],\n  "X-Test": [\n    "a",\n    "b"\n  ],\n  "_": [],\n  "a": [\n    "\\u003c"\n  ],\n  "b": [\n    "2"\n  ]\n}')
  assert.equal(write({}), '{}')
  const arrays = compileGoJson(Type.Array(Type.String()))
  assert.equal(arrays(['x', '&']), '[\n  "x",\n  "\\u0026"\n]')
  assert.equal(arrays([]), '[]')
  assert.ok(byteOrder('Z', 'a') < 0)
  assert.ok(byteOrder('b', 'a') > 0)
  assert.equal(byteOrder('a', 'a'), 0)
})

test('goCompact is Go\'s json.Marshal: no spaces, insertion order, same escaping', () => {
  assert.equal(goCompact({ ts: '<x>', msg: ['a', 1, true, null] }), '{"ts":"\\u003cx\\u003e","msg":["a",1,true,null]}')
  assert.equal(goCompact({ u: undefined }), '{}')
})

test('lastWritten reuses the JSON of the same frozen object and writes every other value', () => {
  let writes = 0
  const write = lastWritten((value) => { writes++; return compileGoJson(Type.Object({ n: Type.Number() }))(value) })
  const frozen = Object.freeze({ n: 1 })
  assert.equal(write(frozen), '{\n  "n": 1\n}')
  assert.equal(write(frozen), '{\n  "n": 1\n}')
  assert.equal(writes, 1, 'the same frozen object is written once')

  const mutable = { n: 2 }
  assert.equal(write(mutable), '{\n  "n": 2\n}')
  mutable.n = 3
  assert.equal(write(mutable), '{\n  "n": 3\n}', 'an object that can change is written again')
  assert.equal(write(Object.freeze({ n: 1 })), '{\n  "n": 1\n}')
  assert.equal(writes, 4, 'equal content in another object is written again')
  assert.equal(write(frozen), '{\n  "n": 1\n}')
  assert.equal(writes, 5, 'only the last object is remembered')
})
