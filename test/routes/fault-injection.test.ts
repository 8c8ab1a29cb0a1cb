import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { build } from '../helper.js'
import { fixedHeaders, jsonHeaders } from '../raw-http.js'

const ENABLED = '{\n  "fault_injection": "enabled"\n}'
const DISABLED = '{\n  "fault_injection": "disabled"\n}'
const FAULT = '{"status":"fault injection enabled"}\n'
const FAULT_HEADERS = { 'content-length': String(FAULT.length), 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' }

test('enable, status and disable answer podinfo\'s JSON with 202/200', async (t) => {
  const app = await build(t)
  let res = await app.inject('/fault_injection/status')
  assert.equal(res.statusCode, 200)
  assert.equal(res.body, DISABLED)
  assert.deepEqual(fixedHeaders(res.headers), jsonHeaders(DISABLED))
  res = await app.inject({ method: 'POST', url: '/fault_injection/enable' })
  assert.equal(res.statusCode, 202)
  assert.equal(res.body, ENABLED)
  assert.deepEqual(fixedHeaders(res.headers), jsonHeaders(ENABLED))
  assert.equal(app.state.faultInjection, true)
  assert.equal((await app.inject('/fault_injection/status')).body, ENABLED)
  res = await app.inject({ method: 'POST', url: '/fault_injection/disable' })
  assert.equal(res.statusCode, 202)
  assert.equal(res.body, DISABLED)
  assert.equal((await app.inject('/fault_injection/status')).body, DISABLED)
  assert.equal((await app.inject({ method: 'GET', url: '/fault_injection/enable' })).statusCode, 405)
  assert.equal((await app.inject({ method: 'POST', url: '/fault_injection/status' })).statusCode, 405)
})

async function check (app: FastifyInstance, p: string, excluded: Array<[string, string]>, faulted: Array<[string, string]>): Promise<void> {
  for (const [method, path] of excluded) {
    const res = await app.inject({ method: method as 'GET', url: p + path })
    assert.notEqual(res.statusCode, 500, `${method} ${p}${path} should be excluded`)
    assert.notEqual(res.body, FAULT)
  }
  for (const [method, path] of faulted) {
    const res = await app.inject({ method: method as 'GET', url: p + path, payload: method === 'GET' ? undefined : 'x' })
    assert.equal(res.statusCode, 500, `${method} ${p}${path} should be faulted`)
    assert.equal(res.body, FAULT)
    assert.deepEqual(fixedHeaders(res.headers), FAULT_HEADERS, `${method} ${p}${path}`)
  }
}

const EXCLUDED: Array<[string, string]> = [
  ['GET', '/fault_injection/status'], ['GET', '/healthz'], ['GET', '/readyz'], ['GET', '/metrics'],
  ['POST', '/metrics'], ['GET', '/debug/pprof/']
]
const FAULTED: Array<[string, string]> = [
  ['GET', '/version'], ['GET', '/api/info'], ['POST', '/echo'], ['GET', '/echo/x'], ['PATCH', '/api/echo'],
  ['GET', '/env'], ['POST', '/headers'], ['GET', '/delay/0'], ['GET', '/status/200'], ['POST', '/readyz/enable'],
  ['POST', '/readyz/disable'], ['GET', '/chunked/0'], ['GET', '/store/abc'], ['GET', '/configs'],
  ['GET', '/panic'], ['GET', '/ws/echo'], ['GET', '/swagger.json'], ['GET', '/token/validate']
]

test('while enabled every matched route but the exclusions answers the 500 fault (no prefix)', async (t) => {
  const app = await build(t)
  await app.inject({ method: 'POST', url: '/fault_injection/enable' })
  await check(app, '', EXCLUDED, [...FAULTED, ['GET', '/']])
  // unmatched requests keep their 404/405
  assert.equal((await app.inject('/nothing')).statusCode, 404)
  assert.equal((await app.inject({ method: 'POST', url: '/version' })).statusCode, 405)
  await app.inject({ method: 'POST', url: '/fault_injection/disable' })
  assert.equal((await app.inject('/version')).statusCode, 200)
})

test('with --prefix the exclusions are evaluated on the path with the prefix stripped', async (t) => {
  const app = await build(t, {}, { argv: ['--prefix=/foo'] })
  assert.equal((await app.inject({ method: 'POST', url: '/foo/fault_injection/enable' })).statusCode, 202)
  await check(app, '/foo', EXCLUDED, [...FAULTED, ['GET', ''], ['GET', '/']])
  assert.equal((await app.inject('/healthz')).statusCode, 404)
  assert.equal((await app.inject({ method: 'POST', url: '/foo/fault_injection/disable' })).statusCode, 202)
  assert.equal((await app.inject('/foo/version')).statusCode, 200)
})

test('a prefix that is itself an excluded word only strips once', async (t) => {
  // /metrics/metrics: prefix /metrics stripped -> /metrics (excluded); /metrics/version -> /version (faulted)
  const app = await build(t, {}, { argv: ['--prefix=/metrics'] })
  await app.inject({ method: 'POST', url: '/metrics/fault_injection/enable' })
  assert.equal((await app.inject('/metrics/metrics')).statusCode, 200)
  assert.equal((await app.inject('/metrics/version')).statusCode, 500)
  assert.equal((await app.inject('/metrics')).statusCode, 500) // the root route: "/" after stripping
})
