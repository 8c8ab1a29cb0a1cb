import { test } from 'node:test'
import assert from 'node:assert/strict'
import { build } from '../helper.js'
import { fixedHeaders, NOT_FOUND_HEADERS } from '../raw-http.js'

test('GET and HEAD /debug/pprof/ serve a small HTML index', async (t) => {
  const app = await build(t)
  const res = await app.inject('/debug/pprof/')
  assert.equal(res.statusCode, 200)
  assert.equal(res.headers['content-type'], 'text/html; charset=utf-8')
  assert.equal(res.headers['x-content-type-options'], 'nosniff')
  assert.match(res.body, /<title>\/debug\/pprof\/<\/title>/)
  assert.match(res.body, /Types of profiles available:/)
  const head = await app.inject({ method: 'HEAD', url: '/debug/pprof/' })
  assert.equal(head.statusCode, 200)
  assert.equal(head.body, '')
})

test('other methods on the index are 405 Method Not Allowed with Allow: GET, HEAD', async (t) => {
  const app = await build(t)
  for (const method of ['POST', 'PUT', 'DELETE'] as const) {
    const res = await app.inject({ method, url: '/debug/pprof/' })
    assert.equal(res.statusCode, 405, method)
    assert.equal(res.body, 'Method Not Allowed\n')
    assert.deepEqual(fixedHeaders(res.headers), {
      allow: 'GET, HEAD',
      'content-length': '19',
      'content-type': 'text/plain; charset=utf-8',
      'x-content-type-options': 'nosniff'
    })
  }
})

test('profiles, /debug/pprof without slash and every prefixed pprof path are 404', async (t) => {
  const app = await build(t)
  for (const url of ['/debug/pprof/heap', '/debug/pprof/profile?seconds=1', '/debug/pprof/goroutine', '/debug/pprof', '/debug/']) {
    const res = await app.inject(url)
    assert.equal(res.statusCode, 404, url)
    assert.equal(res.body, '404 page not found\n')
    assert.deepEqual(fixedHeaders(res.headers), NOT_FOUND_HEADERS, url)
  }
  const prefixed = await build(t, {}, { argv: ['--prefix=/foo'] })
  for (const url of ['/foo/debug/pprof/', '/foo/debug/pprof/heap']) {
    const res = await prefixed.inject({ method: 'POST', url })
    assert.equal(res.statusCode, 404, url)
    assert.equal(res.body, '404 page not found\n')
  }
  assert.equal((await prefixed.inject('/debug/pprof/')).statusCode, 404)
})
