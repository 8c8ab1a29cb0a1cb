import { test } from 'node:test'
import assert from 'node:assert/strict'
import { build } from '../helper.js'
import { fixedHeaders, jsonHeaders } from '../raw-http.js'
import { ServiceState } from '../../lib/state.js'

const OK = '{\n  "status": "OK"\n}'
const EMPTY_HEADERS = { 'content-length': '0' }

test('GET /healthz and /readyz answer {"status": "OK"} with JSON headers when up', async (t) => {
  const app = await build(t)
  for (const url of ['/healthz', '/readyz']) {
    const res = await app.inject(url)
    assert.equal(res.statusCode, 200, url)
    assert.equal(res.body, OK)
    assert.deepEqual(fixedHeaders(res.headers), jsonHeaders(OK))
  }
})

test('before startup completes both probes are 503 with no body and no content type', async (t) => {
  const app = await build(t, {}, { notStarted: true })
  for (const url of ['/healthz', '/readyz']) {
    const res = await app.inject(url)
    assert.equal(res.statusCode, 503, url)
    assert.equal(res.body, '')
    assert.deepEqual(fixedHeaders(res.headers), EMPTY_HEADERS)
  }
})

test('--unhealthy keeps /healthz at 503; --unready starts /readyz at 503 until enabled', async (t) => {
  const app = await build(t, {}, { argv: ['--unhealthy', '--unready'] })
  assert.equal((await app.inject('/healthz')).statusCode, 503)
  assert.equal((await app.inject('/readyz')).statusCode, 503)
  const enable = await app.inject({ method: 'POST', url: '/readyz/enable' })
  assert.equal(enable.statusCode, 202)
  assert.equal(enable.body, '')
  assert.deepEqual(fixedHeaders(enable.headers), EMPTY_HEADERS)
  assert.equal((await app.inject('/readyz')).body, OK)
  assert.equal((await app.inject('/healthz')).statusCode, 503)
})

test('POST /readyz/disable and /readyz/enable flip readiness in the shared state', async (t) => {
  const state = new ServiceState()
  const events: boolean[] = []
  state.on('ready', (ready) => events.push(ready))
  const app = await build(t, {}, { state })
  const disable = await app.inject({ method: 'POST', url: '/readyz/disable', payload: 'ignored' })
  assert.equal(disable.statusCode, 202)
  assert.deepEqual(fixedHeaders(disable.headers), EMPTY_HEADERS)
  assert.equal(state.ready, false)
  const res = await app.inject('/readyz')
  assert.equal(res.statusCode, 503)
  assert.deepEqual(fixedHeaders(res.headers), EMPTY_HEADERS)
  assert.equal((await app.inject('/healthz')).statusCode, 200) // liveness is independent
  await app.inject({ method: 'POST', url: '/readyz/disable' }) // idempotent
  await app.inject({ method: 'POST', url: '/readyz/enable' })
  assert.equal(state.ready, true)
  assert.deepEqual(events, [true, false, true])
})

test('probe routes: wrong method is 405, trailing slash is 404', async (t) => {
  const app = await build(t)
  const cases: Array<[string, string, number]> = [
    ['HEAD', '/healthz', 405], ['POST', '/healthz', 405], ['POST', '/readyz', 405], ['HEAD', '/readyz', 405],
    ['GET', '/readyz/enable', 405], ['PUT', '/readyz/disable', 405],
    ['GET', '/readyz/', 404], ['GET', '/healthz/', 404], ['POST', '/readyz/enable/', 404]
  ]
  for (const [method, url, status] of cases) {
    const res = await app.inject({ method: method as 'GET', url })
    assert.equal(res.statusCode, status, `${method} ${url}`)
  }
})

test('probes live under the prefix', async (t) => {
  const app = await build(t, {}, { argv: ['--prefix=/foo'] })
  assert.equal((await app.inject('/foo/healthz')).body, OK)
  assert.equal((await app.inject({ method: 'POST', url: '/foo/readyz/disable' })).statusCode, 202)
  assert.equal((await app.inject('/foo/readyz')).statusCode, 503)
  assert.equal((await app.inject('/healthz')).statusCode, 404)
})
