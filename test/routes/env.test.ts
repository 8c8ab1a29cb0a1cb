import { test } from 'node:test'
import assert from 'node:assert/strict'
import { build } from '../helper.js'
import { fixedHeaders, jsonHeaders } from '../raw-http.js'

test('GET and POST /env list the process environment as NAME=value, in order, Go-escaped', async (t) => {
  const env = { PODINFO_UI_COLOR: '#000000', ZED: 'last<&>', A_FIRST: 'x=y', EMPTY: '' }
  const app = await build(t, {}, { env })
  const expected = '[\n  "PODINFO_UI_COLOR=#000000",\n  "ZED=last\\u003c\\u0026\\u003e",\n  "A_FIRST=x=y",\n  "EMPTY="\n]'
  for (const method of ['GET', 'POST'] as const) {
    const res = await app.inject({ method, url: '/env', payload: method === 'POST' ? 'ignored' : undefined })
    assert.equal(res.statusCode, 200)
    assert.equal(res.body, expected)
    assert.deepEqual(fixedHeaders(res.headers), jsonHeaders(expected))
  }
})

test('/env never shows the JWT secret value', async (t) => {
  const app = await build(t, {}, { env: { PODINFO_JWT_SECRET: 's3cr3t', HOME: '/root' } })
  const res = await app.inject('/env')
  assert.equal(res.body, '[\n  "PODINFO_JWT_SECRET=[redacted]",\n  "HOME=/root"\n]')
})

test('an empty environment is [] and other methods are 405', async (t) => {
  const app = await build(t, {}, { env: {} })
  assert.equal((await app.inject('/env')).body, '[]')
  for (const method of ['HEAD', 'PUT', 'DELETE'] as const) {
    const res = await app.inject({ method, url: '/env' })
    assert.equal(res.statusCode, 405, method)
    assert.equal(res.body, '')
  }
})
