import { test } from 'node:test'
import assert from 'node:assert/strict'
import { build } from '../helper.js'
import { dechunk, header, headerNames, listen, parseResponses, rawExchange, request } from '../raw-http.js'

const keepAlive = (method: string, path: string): string =>
  request(method, path).replace('Connection: close', 'Connection: keep-alive')
const complete = (data: Buffer): boolean => data.includes('\r\n0\r\n\r\n')

test('/chunked/{wait}: 200 headers at once, no Content-Type, then the pretty body as one chunk', async (t) => {
  const app = await build(t)
  const port = await listen(t, app)
  for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']) {
    const { data } = await rawExchange(port, keepAlive(method, '/chunked/1'), { done: complete })
    const text = data.toString('latin1')
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/, method)
    const [res] = parseResponses(data)
    assert.ok(res !== undefined)
    assert.deepEqual(headerNames(res), ['connection', 'transfer-encoding', 'x-content-type-options'], method)
    assert.equal(header(res, 'connection'), 'Keep-Alive')
    assert.equal(header(res, 'transfer-encoding'), 'chunked')
    assert.equal(header(res, 'x-content-type-options'), 'nosniff')
    assert.ok(header(res, 'date') !== undefined)
    assert.equal(res.body.toString(), '10\r\n{\n  "delay": 1\n}\r\n0\r\n\r\n', method)
  }
})

test('the headers arrive before the wait is over', async (t) => {
  const app = await build(t)
  const port = await listen(t, app)
  const early = await rawExchange(port, keepAlive('GET', '/chunked/2'), { done: (d) => d.includes('\r\n\r\n'), timeoutMs: 1500 })
  const [res] = parseResponses(early.data)
  assert.equal(res?.status, 200)
  assert.equal(res?.body.length, 0)
})

test('Connection: close in the request gives Connection: close; /chunked/0 answers at once', async (t) => {
  const app = await build(t)
  const port = await listen(t, app)
  const { data, closed } = await rawExchange(port, request('GET', '/chunked/0'))
  assert.equal(closed, true)
  const [res] = parseResponses(data)
  assert.ok(res !== undefined)
  assert.equal(header(res, 'connection'), 'close')
  assert.equal(dechunk(res.body).toString(), '{\n  "delay": 0\n}')
})

test('HEAD /chunked/0 gets the headers only; non-digit waits are 404', async (t) => {
  const app = await build(t)
  const port = await listen(t, app)
  const { data } = await rawExchange(port, request('HEAD', '/chunked/0'))
  const [res] = parseResponses(data)
  assert.equal(res?.status, 200)
  assert.equal(header(res!, 'x-content-type-options'), 'nosniff')
  for (const url of ['/chunked/abc', '/chunked/-1', '/chunked/1/2']) {
    assert.equal((await app.inject(url)).statusCode, 404, url)
  }
})
