import { test } from 'node:test'
import assert from 'node:assert/strict'
import { availableParallelism, hostname } from 'node:os'
import { build } from '../helper.js'
import { fixedHeaders, jsonHeaders, NOT_FOUND_HEADERS } from '../raw-http.js'

const GOARCH: Record<string, string> = { x64: 'amd64', ia32: '386' }

function expectedInfo (overrides: Record<string, string> = {}): Record<string, string> {
  return {
    hostname: hostname(),
    version: '6.14.1',
    revision: 'unknown',
    color: '#34577c',
    logo: 'https://raw.githubusercontent.com/stefanprodan/podinfo/gh-pages/cuddle_clap.gif',
    message: 'greetings from podinfo v6.14.1',
    goos: process.platform,
    goarch: GOARCH[process.arch] ?? process.arch,
    runtime: process.version,
    num_goroutine: 'N',
    num_cpu: String(availableParallelism()),
    ...overrides
  }
}

/** The exact pretty body, with num_goroutine (which varies) taken from the response. */
function infoBody (body: string, overrides: Record<string, string> = {}): string {
  const goroutines = /"num_goroutine": "(\d+)"/.exec(body)?.[1]
  assert.ok(goroutines !== undefined && Number(goroutines) > 0, body)
  const info = expectedInfo({ ...overrides, num_goroutine: goroutines })
  return '{\n' + Object.entries(info).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n') + '\n}'
}

test('GET / and GET /api/info answer the runtime info with fields in podinfo\'s order', async (t) => {
  const app = await build(t)
  for (const url of ['/', '/api/info', '/?x=1']) {
    const res = await app.inject(url)
    assert.equal(res.statusCode, 200, url)
    assert.equal(res.body, infoBody(res.body), url)
    assert.deepEqual(fixedHeaders(res.headers), jsonHeaders(res.body), url)
  }
})

test('info reflects --ui-color, --ui-message and --ui-logo, with Go escaping of <>&', async (t) => {
  const app = await build(t, { PODINFO_UI_MESSAGE: 'hi <b>&</b>\u2028' }, { argv: ['--ui-color=#ff0000', '--ui-logo=https://x/l.png?a=1&b=2'] })
  const res = await app.inject('/api/info')
  const lines = res.body.split('\n')
  assert.equal(lines[4], '  "color": "#ff0000",')
  assert.equal(lines[5], '  "logo": "https://x/l.png?a=1\\u0026b=2",')
  assert.equal(lines[6], '  "message": "hi \\u003cb\\u003e\\u0026\\u003c/b\\u003e\\u2028",')
})

test('GET / with a non-Mozilla or lower-case mozilla User-Agent gets JSON', async (t) => {
  const app = await build(t)
  for (const agent of ['curl/8.5.0', 'mozilla/5.0', ' Mozilla/5.0']) {
    const res = await app.inject({ url: '/', headers: { 'user-agent': agent } })
    assert.equal(res.statusCode, 200, agent)
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8', agent)
  }
})

test('HEAD, POST, PUT, DELETE, OPTIONS, PATCH on / and /api/info are 405 with an empty body', async (t) => {
  const app = await build(t)
  for (const url of ['/', '/api/info']) {
    for (const method of ['HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'] as const) {
      const res = await app.inject({ method, url })
      assert.equal(res.statusCode, 405, `${method} ${url}`)
      assert.equal(res.body, '')
      assert.equal(res.headers['content-type'], undefined)
      assert.equal(res.headers.allow, undefined)
      assert.equal(res.headers['access-control-allow-origin'], undefined)
    }
  }
})

test('with --prefix=/foo, /foo and /foo/ serve info; / and /api/info are 404', async (t) => {
  const app = await build(t, {}, { argv: ['--prefix=/foo/'] })
  for (const url of ['/foo', '/foo/', '/foo/api/info']) {
    const res = await app.inject(url)
    assert.equal(res.statusCode, 200, url)
    assert.equal(res.body, infoBody(res.body), url)
  }
  for (const url of ['/', '/api/info', '/version', '/foobar']) {
    const res = await app.inject(url)
    assert.equal(res.statusCode, 404, url)
    assert.equal(res.body, '404 page not found\n')
    assert.deepEqual(fixedHeaders(res.headers), NOT_FOUND_HEADERS)
  }
  assert.equal((await app.inject('/foo/version')).statusCode, 200)
})
