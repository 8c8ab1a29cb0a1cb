import { test } from 'node:test'
import assert from 'node:assert/strict'
import { build } from '../helper.js'
import { envelope, fixedHeaders, get, header, jsonHeaders, listen, parseResponses, rawExchange, request } from '../raw-http.js'

const body = (code: number): string => `{\n  "status": ${code}\n}`

test('GET, POST and PUT /status/{code} answer that status with {"status": code}', async (t) => {
  const app = await build(t)
  for (const code of [200, 201, 202, 400, 404, 418, 500, 503, 999]) {
    for (const method of ['GET', 'POST', 'PUT'] as const) {
      const res = await app.inject({ method, url: `/status/${code}`, payload: method === 'GET' ? undefined : '{"ignored":true}' })
      assert.equal(res.statusCode, code, `${method} ${code}`)
      assert.equal(res.body, body(code))
      assert.deepEqual(fixedHeaders(res.headers), jsonHeaders(body(code)), `${method} ${code}`)
    }
  }
  assert.equal((await app.inject('/status/0200')).body, body(200))
})

test('101, 204 and 304 have no body but keep the JSON content type', async (t) => {
  const app = await build(t)
  for (const code of [101, 204, 304]) {
    const res = await app.inject(`/status/${code}`)
    assert.equal(res.statusCode, code)
    assert.equal(res.body, '')
    assert.deepEqual(fixedHeaders(res.headers), { 'content-type': 'application/json; charset=utf-8', 'x-content-type-options': 'nosniff' })
  }
})

test('codes outside 100-999 are the 400 envelope (compat.md §2), overflow the strconv envelope', async (t) => {
  const app = await build(t)
  for (const code of ['0', '99', '1000', '99999', '000']) {
    const res = await app.inject(`/status/${code}`)
    assert.equal(res.statusCode, 200, code)
    const n = Number(code)
    const expected = envelope(400, `invalid status code ${n}: must be between 100 and 999`)
    assert.equal(res.body, expected, code)
    assert.deepEqual(fixedHeaders(res.headers), jsonHeaders(expected))
  }
  const res = await app.inject('/status/9223372036854775808')
  assert.equal(res.statusCode, 200)
  assert.equal(res.body, envelope(400, 'strconv.Atoi: parsing "9223372036854775808": value out of range'))
})

test('non-digit codes are 404; DELETE, PATCH and HEAD are 405', async (t) => {
  const app = await build(t)
  for (const url of ['/status/abc', '/status/-1', '/status/', '/status', '/status/2OO']) {
    assert.equal((await app.inject(url)).statusCode, 404, url)
  }
  for (const method of ['DELETE', 'PATCH', 'HEAD', 'OPTIONS'] as const) {
    const res = await app.inject({ method, url: '/status/200' })
    assert.equal(res.statusCode, 405, method)
    assert.equal(res.body, '')
  }
})

test('1xx (not 101) is an interim response followed by 200 with the body (real socket)', async (t) => {
  const app = await build(t)
  const port = await listen(t, app)
  for (const code of [100, 102, 103, 199]) {
    const { data } = await rawExchange(port, get(`/status/${code}`))
    const responses = parseResponses(data)
    assert.deepEqual(responses.map((r) => r.status), [code, 200], `${code}: ${data.toString()}`)
    const final = responses[1]
    assert.ok(final !== undefined)
    assert.equal(final.body.toString(), body(code))
    assert.equal(header(final, 'content-type'), 'application/json; charset=utf-8')
    assert.equal(header(final, 'x-content-type-options'), 'nosniff')
  }
  // the connection stays usable after an interim response
  const { data } = await rawExchange(port, request('GET', '/status/102').replace('Connection: close', 'Connection: keep-alive') + get('/status/201'))
  assert.deepEqual(parseResponses(data).map((r) => r.status), [102, 200, 201])
})

test('204 on a real socket carries no body and no Content-Length', async (t) => {
  const app = await build(t)
  const port = await listen(t, app)
  const [res] = parseResponses((await rawExchange(port, get('/status/204'))).data)
  assert.ok(res !== undefined)
  assert.equal(res.status, 204)
  assert.equal(res.body.length, 0)
  assert.equal(header(res, 'content-length'), undefined)
  assert.equal(header(res, 'content-type'), 'application/json; charset=utf-8')
})

test('600-999 and unnamed codes are sent with Go\'s "status code N" reason (real socket)', async (t) => {
  const app = await build(t)
  const port = await listen(t, app)
  for (const [code, reason] of [[999, 'status code 999'], [600, 'status code 600'], [599, 'status code 599']] as const) {
    const { data } = await rawExchange(port, get(`/status/${code}`))
    assert.ok(data.toString('latin1').startsWith(`HTTP/1.1 ${code} ${reason}\r\n`), data.toString())
    const [res] = parseResponses(data)
    assert.equal(res?.body.toString(), body(code))
  }
})
