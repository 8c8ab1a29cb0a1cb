import { test } from 'node:test'
import assert from 'node:assert/strict'
import { build } from '../helper.js'
import { startPodinfo } from '../process.js'
import { fixedHeaders, get, header, headerNames, listen, NOT_FOUND_HEADERS, parseResponses, rawExchange, request } from '../raw-http.js'

test('unclean paths get 301 with the cleaned Location and the raw query, before routing (real socket)', async (t) => {
  const app = await build(t)
  const port = await listen(t, app)
  const cases: Array<[string, string]> = [
    ['//version', '/version'],
    ['/echo/../version?x=1', '/version?x=1'],
    ['/store/..%2f..%2fetc', '/etc'],
    ['/./healthz', '/healthz'],
    ['/nothing//here/', '/nothing/here/'],
    ['/a/b/../../api/info?q=%2F&r', '/api/info?q=%2F&r'],
    ['/x%20y/../z%20w/./', '/z%20w/']
  ]
  for (const [path, location] of cases) {
    for (const method of ['GET', 'POST', 'HEAD']) {
      const [res] = parseResponses((await rawExchange(port, request(method, path))).data)
      assert.ok(res !== undefined, path)
      assert.equal(res.status, 301, `${method} ${path}`)
      assert.equal(header(res, 'location'), location, `${method} ${path}`)
      assert.equal(header(res, 'content-type'), undefined)
      assert.equal(res.body.length, 0)
    }
  }
})

test('%2F inside a variable decodes to a separator: the route does not match', async (t) => {
  const app = await build(t)
  const port = await listen(t, app)
  for (const path of ['/cache/a%2Fb', '/delay/1%2F2', '/store/a%2fb']) {
    const [res] = parseResponses((await rawExchange(port, get(path))).data)
    assert.equal(res?.status, 404, path)
    assert.equal(res?.body.toString(), '404 page not found\n')
  }
  // percent-encoded letters are decoded before matching
  const [ok] = parseResponses((await rawExchange(port, get('/%76ersion'))).data)
  assert.equal(ok?.status, 200)
})

test('404 is text/plain with nosniff; 405 is empty, without Allow; no Server header, a Date header', async (t) => {
  const app = await build(t)
  const port = await listen(t, app)
  const [notFound] = parseResponses((await rawExchange(port, get('/nothing'))).data)
  assert.ok(notFound !== undefined)
  assert.equal(notFound.status, 404)
  assert.equal(notFound.body.toString(), '404 page not found\n')
  assert.deepEqual(headerNames(notFound), ['connection', 'content-length', 'content-type', 'x-content-type-options'])
  assert.equal(header(notFound, 'content-type'), 'text/plain; charset=utf-8')
  assert.ok(header(notFound, 'date') !== undefined)
  const [notAllowed] = parseResponses((await rawExchange(port, request('DELETE', '/version'))).data)
  assert.ok(notAllowed !== undefined)
  assert.equal(notAllowed.status, 405)
  assert.deepEqual(headerNames(notAllowed), ['connection', 'content-length'])
  assert.equal(header(notAllowed, 'content-length'), '0')
  const [ok] = parseResponses((await rawExchange(port, get('/version'))).data)
  assert.equal(header(ok!, 'server'), undefined)
  assert.ok(header(ok!, 'date') !== undefined)
})

test('HEAD on every GET-only route is 405; OPTIONS is a plain method (no CORS)', async (t) => {
  const app = await build(t)
  for (const url of ['/', '/version', '/env', '/headers', '/delay/0', '/healthz', '/readyz', '/fault_injection/status', '/panic', '/status/200', '/api/info', '/configs', '/token/validate', '/store/' + 'a'.repeat(40), '/cache/k']) {
    const res = await app.inject({ method: 'HEAD', url })
    assert.equal(res.statusCode, 405, url)
    assert.equal(res.body, '')
  }
  const options = await app.inject({ method: 'OPTIONS', url: '/version', headers: { origin: 'http://x', 'access-control-request-method': 'GET' } })
  assert.equal(options.statusCode, 405)
  assert.deepEqual(Object.keys(options.headers).filter((h) => h.startsWith('access-control')), [])
})

test('methods beyond the common ones behave as in gorilla/mux: 202 on echo, 405 on known paths, 404 elsewhere', async (t) => {
  const app = await build(t)
  const port = await listen(t, app)
  const cases: Array<[string, string, number]> = [
    ['PURGE', '/echo', 202], ['PROPFIND', '/api/echo/x', 202], ['MKCOL', '/metrics', 200], ['TRACE', '/echo', 202],
    ['PURGE', '/version', 405], ['PROPFIND', '/readyz/enable', 405], ['REPORT', '/nothing', 404], ['QUERY', '/env', 405]
  ]
  for (const [method, path, status] of cases) {
    const [res] = parseResponses((await rawExchange(port, request(method, path))).data)
    assert.equal(res?.status, status, `${method} ${path}`)
  }
  // a method Node's parser does not know is refused by the parser (400) and the server keeps running
  const [bad] = parseResponses((await rawExchange(port, request('FROB', '/echo'))).data)
  assert.equal(bad?.status, 400)
  const [after] = parseResponses((await rawExchange(port, get('/healthz'))).data)
  assert.equal(after?.status, 200)
})

test('trailing slashes and case are exact; header blocks over 1 MiB are 431', async (t) => {
  const app = await build(t)
  for (const url of ['/version/', '/Version', '/api/info/', '/healthz/']) {
    const res = await app.inject(url)
    assert.equal(res.statusCode, 404, url)
    assert.deepEqual(fixedHeaders(res.headers), NOT_FOUND_HEADERS)
  }
  const port = await listen(t, app)
  const { data } = await rawExchange(port, get('/version', `X-Big: ${'a'.repeat(1024 * 1024 + 10)}`))
  assert.match(data.toString('latin1'), /^HTTP\/1\.1 431 /)
  const [ok] = parseResponses((await rawExchange(port, get('/version', `X-Fits: ${'a'.repeat(512 * 1024)}`))).data)
  assert.equal(ok?.status, 200)
})

test('a malformed Content-Type is ignored like Go does (no 415, no dropped connection)', async (t) => {
  const app = await build(t)
  for (const [method, url, status] of [['POST', '/readyz/enable', 202], ['POST', '/echo', 202], ['POST', '/nothing', 404], ['PUT', '/version', 405]] as const) {
    const res = await app.inject({ method, url, payload: 'x', headers: { 'content-type': '???' } })
    assert.equal(res.statusCode, status, `${method} ${url}`)
  }
})

test('invalid flags stop the process with exit code 2 and a pflag error, never a stack trace (real process)', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['--nope'], /^Error: unknown flag: --nope$/m],
    [['--port=abc'], /^Error: invalid argument "abc" for "--port" flag/m],
    [['--http-server-timeout=5'], /^Error: invalid argument "5" for "--http-server-timeout" flag/m]
  ]
  for (const [args, message] of cases) {
    const podinfo = await startPodinfo(t, { args, waitFor: false })
    assert.equal(await podinfo.exited, 2, args.join(' '))
    assert.match(podinfo.logs(), message)
    assert.doesNotMatch(podinfo.logs(), /\n\s+at /)
  }
})
