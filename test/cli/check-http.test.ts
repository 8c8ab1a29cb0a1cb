import { describe, it, test } from 'node:test'
import assert from 'node:assert/strict'
import https from 'node:https'
import { PassThrough } from 'node:stream'
import { checkHttp, fmtContentLength } from '../../cli/check-http.js'
import { DevLogger } from '../../cli/log.js'
import { podcli } from './podcli.js'
import { closedPort, httpServer, listen, selfSigned } from './servers.js'

const LOG_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d{4})\tINFO\tcli\/check-http\.ts:\d+\tcheck succeed\t\{"address": "http:\/\/127\.0\.0\.1:\d+\/healthz", "status code": 200, "response size": "20 B"\}\n$/

describe('podcli check http', { concurrency: 4 }, () => {
  it('succeeds on 200 with a development log line on stderr and nothing on stdout', async (t) => {
    const server = await httpServer(t, (_req, res) => { res.end('{\n  "status": "OK"\n}') })
    const r = await podcli(['check', 'http', `127.0.0.1:${server.port}/healthz`, '--delay', '0s'])
    assert.equal(r.code, 0)
    assert.equal(r.stdout, '')
    assert.match(r.stderr, LOG_LINE)
    assert.equal(server.requests.length, 1)
    assert.equal(server.requests[0].method, 'GET')
  })

  it('retries a 503 retry+1 times, sleeping before every attempt but the second, then exits 1', async (t) => {
    const server = await httpServer(t, (_req, res) => { res.statusCode = 503; res.end() })
    const address = `http://127.0.0.1:${server.port}/readyz`
    const started = Date.now()
    const r = await podcli(['check', 'http', address, '--retry', '2', '--delay', '1s'])
    assert.equal(r.code, 1)
    assert.equal(r.stdout, '')
    assert.equal(server.requests.length, 3)
    assert.deepEqual(r.logs.map((l) => [l.message, l.fields]), [
      ['check failed', { address, 'status code': 503 }],
      ['check failed', { address, 'status code': 503 }],
      ['check failed', { address, 'status code': 503 }],
      ['giving up after 3 attempts: status code 503', { address }]
    ])
    const [first, second, third] = server.requests.map((req) => req.at)
    assert.ok(first - started >= 1000, 'sleeps before the first attempt')
    assert.ok(third - second >= 1000, 'sleeps before the third attempt')
    // the second attempt follows the first without the delay, so its gap is the shorter one
    assert.ok(second - first < third - second, `no sleep before the second attempt (${second - first} ms vs ${third - second} ms)`)
  })

  it('names a refused connection and exits 1', async () => {
    const port = await closedPort()
    const r = await podcli(['check', 'http', `127.0.0.1:${port}`, '--delay', '0s'])
    assert.equal(r.code, 1)
    assert.deepEqual(r.logs[0].fields, {
      address: `http://127.0.0.1:${port}`,
      error: `Get "http://127.0.0.1:${port}": dial tcp 127.0.0.1:${port}: connect: connection refused`
    })
    assert.equal(r.logs[1].message, `giving up after 1 attempt: Get "http://127.0.0.1:${port}": dial tcp 127.0.0.1:${port}: connect: connection refused`)
  })

  it('sends the body with any method, follows redirects and accepts 3xx without Location', async (t) => {
    const server = await httpServer(t, (req, res, body) => {
      if (req.url === '/old') { res.writeHead(302, { location: '/new' }); res.end(); return }
      if (req.url === '/304') { res.writeHead(304); res.end(); return }
      res.end(`${req.method} ${body}`)
    })
    const [get, post, notModified] = await Promise.all([
      podcli(['check', 'http', `127.0.0.1:${server.port}/echo`, '--body', 'ping', '--delay', '0s']),
      podcli(['check', 'http', `127.0.0.1:${server.port}/old`, '--method', 'POST', '--body', 'x', '--delay', '0s']),
      podcli(['check', 'http', `127.0.0.1:${server.port}/304`, '--delay', '0s'])
    ])
    assert.equal(get.code, 0)
    assert.equal(post.code, 0)
    assert.equal(notModified.code, 0)
    assert.equal(notModified.logs[0].fields['status code'], 304)
    assert.equal(notModified.logs[0].fields['response size'], '0 B')
    const seen = server.requests.map((r) => `${r.method} ${r.url} ${r.body}`).sort()
    assert.deepEqual(seen, ['GET /304 ', 'GET /echo ping', 'GET /new ', 'POST /old x'])
  })

  it('fails on a 404 and on a timeout, naming each', async (t) => {
    const server = await httpServer(t, (req, res) => {
      if (req.url === '/slow') return // never answers
      res.statusCode = 404
      res.end('404 page not found\n')
    })
    const [missing, slow] = await Promise.all([
      podcli(['check', 'http', `127.0.0.1:${server.port}/nope`, '--delay', '0s']),
      podcli(['check', 'http', `127.0.0.1:${server.port}/slow`, '--delay', '0s', '--timeout', '300ms'])
    ])
    assert.equal(missing.code, 1)
    assert.deepEqual(missing.logs[0].fields, { address: `http://127.0.0.1:${server.port}/nope`, 'status code': 404 })
    assert.equal(slow.code, 1)
    assert.equal(slow.logs[0].fields.error, `Get "http://127.0.0.1:${server.port}/slow": context deadline exceeded`)
  })

  it('verifies TLS certificates', async (t) => {
    const { key, cert } = selfSigned(t, 'localhost')
    const server = https.createServer({ key, cert }, (_req, res) => { res.end('ok') })
    const port = await listen(server)
    t.after(() => { server.closeAllConnections(); server.close() })
    const r = await podcli(['check', 'http', `https://localhost:${port}/`, '--delay', '0s'])
    assert.equal(r.code, 1)
    assert.equal(r.logs[0].fields.error,
      `Get "https://localhost:${port}/": tls: failed to verify certificate: x509: certificate signed by unknown authority`)
  })

  it('an invalid method ends at once, whatever --retry says', async () => {
    const r = await podcli(['check', 'http', '127.0.0.1:1', '--method', 'GE T', '--retry', '5', '--delay', '0s'])
    assert.equal(r.code, 1)
    assert.equal(r.logs.length, 1)
    assert.deepEqual(r.logs[0].fields, { address: 'http://127.0.0.1:1', error: 'net/http: invalid method "GE T"' })
  })
})

test('the default 1 s delay also runs before the first attempt (podinfo quirk)', async (t) => {
  const server = await httpServer(t, (_req, res) => { res.end('ok') })
  const stderr = new PassThrough()
  const ctx = { log: new DevLogger(stderr), stdout: new PassThrough(), stderr, stdin: new PassThrough() }
  const started = Date.now()
  const code = await checkHttp(ctx, `127.0.0.1:${server.port}/`, { method: 'GET', body: '', retry: 0, delay: 1000, timeout: 5000 })
  assert.equal(code, 0)
  assert.ok(server.requests[0].at - started >= 1000, `first request after ${server.requests[0].at - started} ms`)
})

test('response size is the Content-Length in SI units, like podinfo', () => {
  assert.equal(fmtContentLength(-1), '-1 B')
  assert.equal(fmtContentLength(0), '0 B')
  assert.equal(fmtContentLength(999), '999 B')
  assert.equal(fmtContentLength(1000), '1.0 kB')
  assert.equal(fmtContentLength(1250), '1.2 kB')
  assert.equal(fmtContentLength(1350), '1.4 kB')
  assert.equal(fmtContentLength(999_999), '1000.0 kB')
  assert.equal(fmtContentLength(1_500_000), '1.5 MB')
  assert.equal(fmtContentLength(2_000_000_000_000), '2.0 TB')
})
