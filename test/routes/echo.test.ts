import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import { connect } from 'node:net'
import { build } from '../helper.js'
import { freePort } from '../process.js'
import { dechunk, envelope, fixedHeaders, header, jsonHeaders, listen, parseResponses, rawExchange } from '../raw-http.js'

const MiB10 = 10 * 1024 * 1024

function rawHeaders (length: number, color = '#34577c'): Record<string, string> {
  return {
    'content-length': String(length),
    'content-security-policy': "default-src 'none'",
    'content-type': 'application/octet-stream',
    'x-color': color,
    'x-content-type-options': 'nosniff'
  }
}

test('echo answers 202 with the body byte for byte for every method, on all four routes', async (t) => {
  const app = await build(t)
  const bytes = Buffer.from([0x7b, 0x00, 0xff, 0xfe, 0x3c, 0x0a])
  for (const url of ['/echo', '/echo/', '/echo/a/b?x=1', '/api/echo', '/api/echo/deep/path']) {
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const) {
      const res = await app.inject({ method, url, payload: bytes })
      assert.equal(res.statusCode, 202, `${method} ${url}`)
      assert.deepEqual(res.rawPayload, bytes, `${method} ${url}`)
      assert.deepEqual(fixedHeaders(res.headers), rawHeaders(bytes.length), `${method} ${url}`)
    }
    const head = await app.inject({ method: 'HEAD', url })
    assert.equal(head.statusCode, 202, `HEAD ${url}`)
    assert.equal(head.body, '')
    assert.equal(head.headers['content-type'], 'application/octet-stream')
    assert.equal(head.headers['x-color'], '#34577c')
  }
  // no body at all
  const empty = await app.inject('/echo')
  assert.equal(empty.statusCode, 202)
  assert.deepEqual(fixedHeaders(empty.headers), rawHeaders(0))
  // unknown methods reach echo too
  const custom = await app.inject({ method: 'PROPFIND' as 'GET', url: '/echo', payload: 'dav' })
  assert.equal(custom.statusCode, 202)
  assert.equal(custom.body, 'dav')
})

test('echo reads any content type raw: invalid JSON, form, multipart, none, text', async (t) => {
  const app = await build(t, {}, { argv: ['--ui-color=#ff00ff'] })
  const cases: Array<[string | undefined, string]> = [
    ['application/json', '{"not": json'],
    ['application/json', ''],
    ['application/x-www-form-urlencoded', 'a=1&b=%zz'],
    ['multipart/form-data; boundary=xyz', '--xyz\r\nContent-Disposition: form-data; name="f"\r\n\r\nv\r\n--xyz--\r\n'],
    ['multipart/form-data', 'no boundary at all'],
    ['text/plain; charset=latin1', 'caf\u00e9'],
    ['application/octet-stream', '\u0000\u0001'],
    ['invalid content type', 'x'],
    [undefined, 'no type']
  ]
  for (const [type, payload] of cases) {
    const res = await app.inject({ method: 'POST', url: '/echo', payload, headers: type === undefined ? {} : { 'content-type': type } })
    assert.equal(res.statusCode, 202, String(type))
    assert.equal(res.body, payload, String(type))
    assert.deepEqual(fixedHeaders(res.headers), rawHeaders(Buffer.byteLength(payload), '#ff00ff'), String(type))
  }
})

test('a body of exactly 10 MiB is echoed; one byte more is the 413 envelope with Connection: close', async (t) => {
  const app = await build(t)
  const exact = Buffer.alloc(MiB10, 0x61)
  const ok = await app.inject({ method: 'POST', url: '/echo', payload: exact, headers: { 'content-type': 'application/json' } })
  assert.equal(ok.statusCode, 202)
  assert.equal(ok.rawPayload.length, MiB10)
  assert.ok(ok.rawPayload.equals(exact))
  const tooBig = await app.inject({ method: 'PUT', url: '/api/echo', payload: Buffer.alloc(MiB10 + 1, 0x61) })
  const body = envelope(413, 'request body too large')
  assert.equal(tooBig.statusCode, 200)
  assert.equal(tooBig.body, body)
  // podinfo sets X-Color only after reading the body
  assert.deepEqual(fixedHeaders(tooBig.headers), { ...jsonHeaders(body), connection: 'close' })
})

test('chunked request bodies are accepted; over 10 MiB chunked is the 413 envelope (real socket)', async (t) => {
  const app = await build(t)
  const port = await listen(t, app)
  const chunk = (s: string): string => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`
  const { data } = await rawExchange(port, 'POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n' +
    chunk('hello ') + chunk('chunked ') + chunk('world') + '0\r\n\r\n')
  const [res] = parseResponses(data)
  assert.ok(res !== undefined)
  assert.equal(res.status, 202)
  assert.equal(res.body.toString(), 'hello chunked world')
  assert.equal(header(res, 'x-color'), '#34577c')

  const big = await new Promise<Buffer>((resolve, reject) => {
    const out: Buffer[] = []
    const s = connect(port, '127.0.0.1', () => {
      s.write('POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n')
      const part = Buffer.alloc(1024 * 1024, 0x62)
      for (let i = 0; i < 11; i++) s.write(Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n')]))
    })
    s.on('data', (d: Buffer) => out.push(d))
    s.on('error', () => {})
    s.on('close', () => resolve(Buffer.concat(out)))
    setTimeout(() => { s.destroy(); reject(new Error('no answer')) }, 15000)
  })
  const [over] = parseResponses(big)
  assert.ok(over !== undefined, big.toString())
  assert.equal(over.status, 200)
  assert.equal(header(over, 'connection'), 'close')
  assert.equal(over.body.toString(), envelope(413, 'request body too large'))
})

interface Captured { headers: IncomingHttpHeaders, method: string, url: string, body: string }

/** A backend on 127.0.0.1 that records what it receives and answers with `answer`. */
async function backend (t: TestContext, answer: (res: import('node:http').ServerResponse, body: Buffer) => void): Promise<{ url: string, seen: Captured[] }> {
  const seen: Captured[] = []
  const server = createServer((req, res) => {
    const parts: Buffer[] = []
    req.on('data', (d: Buffer) => parts.push(d))
    req.on('end', () => {
      const body = Buffer.concat(parts)
      seen.push({ headers: req.headers, method: req.method ?? '', url: req.url ?? '', body: body.toString() })
      answer(res, body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => { server.closeAllConnections(); server.close() })
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen }
}

test('with --backend-url, echo POSTs the body to every backend and answers their results in order', async (t) => {
  const podinfoBackend = await build(t)
  const podinfoPort = await listen(t, podinfoBackend)
  const failing = await backend(t, (res) => { res.writeHead(500).end('boom') })
  const capture = await backend(t, (res, body) => { res.end(Buffer.concat([Buffer.from('got <'), body, Buffer.from('> \u2028'), Buffer.from([0xe2, 0x82])])) })
  const closed = `http://127.0.0.1:${await freePort()}/x`
  const urls = [`http://127.0.0.1:${podinfoPort}/echo`, failing.url + '/fail', closed, 'http://[::1', capture.url + '/cap?q=1']
  const app = await build(t, {}, { argv: [`--backend-url=${urls.slice(0, 3).join(',')}`, `--backend-url=${urls.slice(3).join(',')}`, '--ui-color=#123456'] })
  const res = await app.inject({
    method: 'PUT',
    url: '/api/echo/any',
    payload: '{"x":1}',
    headers: {
      'content-type': 'application/json',
      'x-request-id': 'req-1',
      'x-b3-traceid': 't1',
      'x-b3-spanid': 's1',
      'x-b3-parentspanid': 'p1',
      'x-b3-sampled': '1',
      'x-b3-flags': '0',
      'x-ot-span-context': 'ot',
      'x-custom': 'not forwarded',
      authorization: 'Bearer no',
      'x-api-version': 'client value'
    }
  })
  assert.equal(res.statusCode, 200)
  const lines = res.body.split('\n')
  assert.equal(lines[0], '[')
  assert.equal(lines[1], '  "{\\"x\\":1}",')
  assert.equal(lines[2], `  "backend ${failing.url}/fail response status code 500",`)
  assert.match(lines[3] as string, new RegExp(`^ {2}"backend ${closed.replace(/[.[\]/]/g, '\\$&')} call failed Post \\\\"${closed.replace(/[.[\]/]/g, '\\$&')}\\\\": .*ECONNREFUSED.*",$`))
  assert.equal(lines[4], '  "",')
  assert.equal(lines[5], '  "got \\u003c{\\"x\\":1}\\u003e \\u2028\\ufffd\\ufffd"')
  assert.equal(lines[6], ']')
  assert.equal(lines.length, 7)
  assert.deepEqual(fixedHeaders(res.headers), { ...jsonHeaders(res.body), 'x-color': '#123456' })

  assert.equal(failing.seen.length, 1)
  const [call] = capture.seen
  assert.ok(call !== undefined)
  assert.equal(call.method, 'POST')
  assert.equal(call.url, '/cap?q=1')
  assert.equal(call.body, '{"x":1}')
  assert.equal(call.headers['x-api-version'], '6.14.1')
  assert.equal(call.headers['x-api-revision'], 'unknown')
  assert.equal(call.headers['x-request-id'], 'req-1')
  assert.equal(call.headers['x-b3-traceid'], 't1')
  assert.equal(call.headers['x-b3-spanid'], 's1')
  assert.equal(call.headers['x-b3-parentspanid'], 'p1')
  assert.equal(call.headers['x-b3-sampled'], '1')
  assert.equal(call.headers['x-b3-flags'], '0')
  assert.equal(call.headers['x-ot-span-context'], 'ot')
  assert.equal(call.headers['content-length'], '7')
  assert.equal(call.headers['content-type'], undefined)
  assert.equal(call.headers['x-custom'], undefined)
  assert.equal(call.headers.authorization, undefined)
  assert.match(String(call.headers['accept-encoding']), /\bgzip\b/)
})

test('empty trace headers are not forwarded, an empty body is POSTed empty', async (t) => {
  const capture = await backend(t, (res) => { res.end('') })
  const app = await build(t, { PODINFO_BACKEND_URL: capture.url })
  const res = await app.inject({ url: '/echo', headers: { 'x-request-id': '' } })
  assert.equal(res.statusCode, 200)
  assert.equal(res.body, '[\n  ""\n]')
  assert.equal(capture.seen[0]?.method, 'POST')
  assert.equal(capture.seen[0]?.body, '')
  assert.equal(capture.seen[0]?.headers['x-request-id'], undefined)
})

test('each backend call is bounded by --http-client-timeout; redirects are followed', async (t) => {
  const slow = await backend(t, (res) => { setTimeout(() => { if (!res.destroyed) res.end('late') }, 3000) })
  const target = await backend(t, (res, body) => { res.end('moved:' + body.toString()) })
  const redirect = await backend(t, (res) => { res.writeHead(307, { location: target.url + '/new' }).end() })
  const moved = await backend(t, (res) => { res.writeHead(301, { location: target.url + '/get' }).end() })
  const app = await build(t, {}, { argv: [`--backend-url=${slow.url},${redirect.url},${moved.url}`, '--http-client-timeout=200ms'] })
  const started = Date.now()
  const res = await app.inject({ method: 'POST', url: '/echo', payload: 'kept' })
  assert.ok(Date.now() - started < 2500, `took ${Date.now() - started} ms`)
  assert.equal(res.body, '[\n' +
    `  "backend ${slow.url} call failed Post \\"${slow.url}\\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)",\n` +
    '  "moved:kept",\n  "moved:"\n]')
  const byUrl = Object.fromEntries(target.seen.map((c) => [c.url, c]))
  assert.equal(byUrl['/new']?.method, 'POST') // 307 keeps the method and body
  assert.equal(byUrl['/get']?.method, 'GET') // 301 turns into a GET without body
})

test('413 applies before any backend is called', async (t) => {
  const capture = await backend(t, (res) => { res.end('x') })
  const app = await build(t, { PODINFO_BACKEND_URL: capture.url })
  const res = await app.inject({ method: 'POST', url: '/echo', payload: Buffer.alloc(MiB10 + 1) })
  assert.equal(res.body, envelope(413, 'request body too large'))
  assert.equal(capture.seen.length, 0)
})

test('a chunked backend answer is read whole (dechunk helper sanity)', () => {
  assert.equal(dechunk(Buffer.from('3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n')).toString(), 'abcde')
  assert.throws(() => dechunk(Buffer.from('3\r\nabc\r\n')))
})

test('backend calls look like Go\'s client: exact header set, gzip decoded, any port, other schemes fail', async (t) => {
  const { gzipSync } = await import('node:zlib')
  const capture = await backend(t, (res) => { res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync('unzipped <ok>')) })
  // a port on the WHATWG fetch "bad ports" list, which Go's client does not have
  const badPort = createServer((_req, res) => { res.end('port 6666') })
  const listening = await new Promise<boolean>((resolve) => {
    badPort.once('error', () => resolve(false)).listen(6666, '127.0.0.1', () => resolve(true))
  })
  t.after(() => { badPort.close() })
  const urls = [capture.url, 'ftp://127.0.0.1/x', ...(listening ? ['http://127.0.0.1:6666'] : [])]
  const app = await build(t, { PODINFO_BACKEND_URL: urls.join(',') })
  const res = await app.inject({ method: 'POST', url: '/echo', payload: 'b', headers: { 'x-request-id': 'r' } })
  assert.equal(res.body, '[\n' +
    '  "unzipped \\u003cok\\u003e",\n' +
    '  "backend ftp://127.0.0.1/x call failed Post \\"ftp://127.0.0.1/x\\": unsupported protocol scheme \\"ftp\\""' +
    (listening ? ',\n  "port 6666"' : '') + '\n]')
  const headers = capture.seen[0]?.headers ?? {}
  assert.deepEqual(Object.keys(headers).sort(), ['accept-encoding', 'connection', 'content-length', 'host', 'user-agent', 'x-api-revision', 'x-api-version', 'x-request-id'])
  assert.equal(headers['user-agent'], 'Go-http-client/1.1')
  assert.equal(headers['accept-encoding'], 'gzip')
})
