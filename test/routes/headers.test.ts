import { test } from 'node:test'
import assert from 'node:assert/strict'
import { build } from '../helper.js'
import { dechunk, fixedHeaders, header, jsonHeaders, listen, parseResponses, rawExchange } from '../raw-http.js'
import { canonicalHeader } from '../../lib/headers.js'

test('canonicalHeader is Go\'s CanonicalMIMEHeaderKey', () => {
  assert.equal(canonicalHeader('x-request-id'), 'X-Request-Id')
  assert.equal(canonicalHeader('USER-AGENT'), 'User-Agent')
  assert.equal(canonicalHeader('content-md5'), 'Content-Md5')
  assert.equal(canonicalHeader('x-b3-traceid'), 'X-B3-Traceid')
  assert.equal(canonicalHeader('a--b'), 'A--B')
  assert.equal(canonicalHeader('x_y'), 'X_y')
  assert.equal(canonicalHeader('bad header'), 'bad header') // not a token: left as received
  assert.equal(canonicalHeader('ünicode'), 'ünicode')
})

test('GET /headers lists canonical names, sorted, with the injected version headers', async (t) => {
  const app = await build(t)
  const res = await app.inject({
    url: '/headers',
    headers: { 'x-request-id': 'abc', accept: '*/*', 'user-agent': 'curl/8.5.0', 'x-api-version': 'client', 'X-Api-Revision': 'client' }
  })
  const expected = '{\n' +
    '  "Accept": [\n    "*/*"\n  ],\n' +
    '  "User-Agent": [\n    "curl/8.5.0"\n  ],\n' +
    '  "X-Api-Revision": [\n    "unknown"\n  ],\n' +
    '  "X-Api-Version": [\n    "6.14.1"\n  ],\n' +
    '  "X-Request-Id": [\n    "abc"\n  ]\n}'
  assert.equal(res.statusCode, 200)
  assert.equal(res.body, expected)
  assert.deepEqual(fixedHeaders(res.headers), jsonHeaders(expected))
  assert.equal(res.headers['x-api-version'], undefined) // request-side only (spec §5.4)
})

test('POST /headers: repeated headers keep every value in order; no Host, no Transfer-Encoding (real socket)', async (t) => {
  const app = await build(t)
  const port = await listen(t, app)
  const { data } = await rawExchange(port, [
    'POST /headers HTTP/1.1',
    'Host: 127.0.0.1',
    'X-Test: a',
    'x-test: b',
    'X-TEST: a',
    'Accept: */*',
    'Cookie: c=1',
    'Cookie: d=2',
    'Transfer-Encoding: chunked',
    'Connection: close',
    'x-value: <&> \u00e9',
    '',
    '3',
    'abc',
    '0',
    '',
    ''
  ].join('\r\n'))
  const [res] = parseResponses(data)
  assert.ok(res !== undefined)
  assert.equal(res.status, 200)
  assert.equal(header(res, 'content-type'), 'application/json; charset=utf-8')
  const body = header(res, 'transfer-encoding') === 'chunked' ? dechunk(res.body).toString() : res.body.toString()
  assert.equal(body, '{\n' +
    '  "Accept": [\n    "*/*"\n  ],\n' +
    '  "Connection": [\n    "close"\n  ],\n' +
    '  "Cookie": [\n    "c=1",\n    "d=2"\n  ],\n' +
    '  "X-Api-Revision": [\n    "unknown"\n  ],\n' +
    '  "X-Api-Version": [\n    "6.14.1"\n  ],\n' +
    '  "X-Test": [\n    "a",\n    "b",\n    "a"\n  ],\n' +
    '  "X-Value": [\n    "\\u003c\\u0026\\u003e \u00e9"\n  ]\n}')
})

test('header values keep their bytes: UTF-8 stays UTF-8, invalid bytes become \\ufffd (real socket)', async (t) => {
  const app = await build(t)
  const port = await listen(t, app)
  const request = Buffer.concat([
    Buffer.from('GET /headers HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Utf8: '),
    Buffer.from('caf\u00e9 \u2713', 'utf8'),
    Buffer.from('\r\nX-Latin1: caf'),
    Buffer.from([0xe9]),
    Buffer.from('\r\nContent-Length: 0\r\n\r\n')
  ])
  const [res] = parseResponses((await rawExchange(port, request)).data)
  assert.ok(res !== undefined)
  const body = res.body.toString('utf8')
  assert.match(body, /"Content-Length": \[\n {4}"0"\n {2}\]/)
  assert.match(body, /"X-Latin1": \[\n {4}"caf\\ufffd"\n {2}\]/)
  assert.match(body, /"X-Utf8": \[\n {4}"café ✓"\n {2}\]/)
})

test('/headers answers GET and POST only', async (t) => {
  const app = await build(t)
  for (const method of ['HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const) {
    const res = await app.inject({ method, url: '/headers' })
    assert.equal(res.statusCode, 405, method)
    assert.equal(res.body, '')
  }
})
