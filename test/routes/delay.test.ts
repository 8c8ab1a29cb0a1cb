import { test } from 'node:test'
import assert from 'node:assert/strict'
import { build } from '../helper.js'
import { startPodinfo } from '../process.js'
import { envelope, fixedHeaders, get, jsonHeaders, NOT_FOUND_HEADERS, parseResponses, rawExchange } from '../raw-http.js'

test('GET /delay/0 answers {"delay": 0} at once with JSON headers', async (t) => {
  const app = await build(t)
  for (const url of ['/delay/0', '/delay/000']) {
    const res = await app.inject(url)
    assert.equal(res.statusCode, 200)
    assert.equal(res.body, '{\n  "delay": 0\n}')
    assert.deepEqual(fixedHeaders(res.headers), jsonHeaders(res.body))
  }
})

test('GET /delay/1 sleeps about a second before answering', async (t) => {
  const app = await build(t)
  const started = Date.now()
  const res = await app.inject('/delay/01')
  assert.ok(Date.now() - started >= 990, `answered after ${Date.now() - started} ms`)
  assert.equal(res.body, '{\n  "delay": 1\n}')
})

test('an int64 overflow is the 400 envelope with Go\'s strconv message, HTTP 200', async (t) => {
  const app = await build(t)
  for (const digits of ['9223372036854775808', '99999999999999999999999999']) {
    const res = await app.inject(`/delay/${digits}`)
    const body = envelope(400, `strconv.Atoi: parsing "${digits}": value out of range`)
    assert.equal(res.statusCode, 200)
    assert.equal(res.body, body)
    assert.deepEqual(fixedHeaders(res.headers), jsonHeaders(body))
  }
})

test('non-digit waits are 404, HEAD and POST are 405', async (t) => {
  const app = await build(t)
  for (const url of ['/delay/abc', '/delay/-1', '/delay/1.5', '/delay/', '/delay', '/delay/1a', '/delay/%31x', '/delay/1/2', '/delay/\u0661']) {
    const res = await app.inject(url)
    assert.equal(res.statusCode, 404, url)
    assert.equal(res.body, '404 page not found\n', url)
    assert.deepEqual(fixedHeaders(res.headers), NOT_FOUND_HEADERS, url)
  }
  for (const method of ['HEAD', 'POST', 'PUT', 'DELETE'] as const) {
    const res = await app.inject({ method, url: '/delay/0' })
    assert.equal(res.statusCode, 405, method)
    assert.equal(res.body, '')
  }
})

test('a huge delay keeps its request waiting without crashing or blocking others (real process)', async (t) => {
  const podinfo = await startPodinfo(t)
  const pending = rawExchange(podinfo.port, get('/delay/9223372036854775807'), { timeoutMs: 1500 })
  const pending2 = rawExchange(podinfo.port, get('/delay/9999999999'), { timeoutMs: 1500 })
  await new Promise((resolve) => setTimeout(resolve, 300))
  const [ok] = parseResponses((await rawExchange(podinfo.port, get('/delay/0'))).data)
  assert.equal(ok?.status, 200)
  assert.equal(ok?.body.toString(), '{\n  "delay": 0\n}')
  for (const result of [await pending, await pending2]) {
    assert.equal(result.closed, false) // still waiting when we gave up
    assert.equal(result.data.length, 0)
  }
  assert.equal(podinfo.child.exitCode, null)
  assert.equal((await fetch(podinfo.url + '/healthz')).status, 200)
})
