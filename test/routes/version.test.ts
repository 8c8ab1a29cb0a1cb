import { test } from 'node:test'
import assert from 'node:assert/strict'
import { build } from '../helper.js'
import { fixedHeaders, jsonHeaders, NOT_FOUND_HEADERS } from '../raw-http.js'

const BODY = '{\n  "commit": "unknown",\n  "version": "6.14.1"\n}'

test('GET /version answers commit and version, keys sorted, JSON headers', async (t) => {
  const app = await build(t)
  const res = await app.inject('/version')
  assert.equal(res.statusCode, 200)
  assert.equal(res.body, BODY)
  assert.deepEqual(fixedHeaders(res.headers), jsonHeaders(BODY))
})

test('HEAD and other methods on /version are 405, /version/ is 404', async (t) => {
  const app = await build(t)
  for (const method of ['HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'] as const) {
    const res = await app.inject({ method, url: '/version' })
    assert.equal(res.statusCode, 405, method)
    assert.equal(res.body, '')
    assert.equal(res.headers['content-type'], undefined)
  }
  const res = await app.inject('/version/')
  assert.equal(res.statusCode, 404)
  assert.deepEqual(fixedHeaders(res.headers), NOT_FOUND_HEADERS)
  assert.equal((await app.inject('/VERSION')).statusCode, 404)
})

test('/version is served under --prefix only', async (t) => {
  const app = await build(t, { PODINFO_PREFIX: 'api/v1' })
  assert.equal((await app.inject('/api/v1/version')).body, BODY)
  assert.equal((await app.inject('/version')).statusCode, 404)
})
