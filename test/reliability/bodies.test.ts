import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { startPodinfo } from '../process.js'
import { call, envelope, rawConnect, summary, within } from './clients.js'

// Issue item 2 (bodies and numeric parameters) against the real process: every body-taking
// route with empty, binary, 10 MiB and 10 MiB + 1 bodies under many content types, malformed
// chunked framing, and /delay, /status, /chunked with hostile numbers.

const MiB10 = 10 * 1024 * 1024
const CONTENT_TYPES = [undefined, 'application/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x',
  'application/octet-stream', 'text/plain; charset=utf-16', 'image/png', 'application/xml', '*/*', ';;;', 'x'.repeat(1000)]

const sha1 = (data: Buffer): string => createHash('sha1').update(data).digest('hex')
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/

test('body-taking routes: empty, binary, 10 MiB and 10 MiB + 1 bodies under every content type', async (t) => {
  const dataPath = await mkdtemp(join(tmpdir(), 'podinfo-bodies-'))
  t.after(async () => { await rm(dataPath, { recursive: true, force: true }) })
  const podinfo = await startPodinfo(t, { args: [`--data-path=${dataPath}`] })
  const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
  const bodies: Array<[string, Buffer]> = [['empty', Buffer.alloc(0)], ['binary', binary], ['invalid JSON', Buffer.from('{"a":')]]

  await t.test('small bodies are taken as raw bytes whatever the content type', async () => {
    for (const type of CONTENT_TYPES) {
      const headers: Record<string, string> = type === undefined ? {} : { 'content-type': type }
      for (const [name, body] of bodies) {
        for (const path of ['/echo', '/api/echo', '/echo/a/b']) {
          const result = await call(podinfo.url + path, { method: 'POST', headers, body })
          assert.ok(!('error' in result), `${path} ${name} ${type ?? ''}`)
          assert.equal(result.status, 202)
          assert.deepEqual(result.body, body, `${path} echoes ${name} bodies sent as ${type ?? 'nothing'}`)
        }
        const stored = await call(podinfo.url + '/store', { method: 'PUT', headers, body })
        assert.deepEqual(summary(stored), { status: 202, body: `{\n  "hash": "${sha1(body)}"\n}` })
        const token = await call(podinfo.url + '/token', { method: 'POST', headers, body })
        assert.ok(!('error' in token) && token.status === 200)
        assert.match(JSON.parse(token.body.toString()).token, JWT)
        const cache = await call(podinfo.url + '/cache/k', { method: 'POST', headers, body })
        assert.deepEqual(summary(cache), { status: 200, body: envelope(400, 'cache server is offline') })
      }
    }
  })

  await t.test('exactly 10 MiB is accepted; 10 MiB + 1 is the 413 envelope with Connection: close', async () => {
    const big = randomBytes(MiB10)
    const echo = await call(podinfo.url + '/echo', { method: 'POST', body: big })
    assert.ok(!('error' in echo) && echo.status === 202 && echo.body.equals(big), '10 MiB echoed')
    const stored = await call(podinfo.url + '/store', { method: 'POST', body: big })
    assert.deepEqual(summary(stored), { status: 202, body: `{\n  "hash": "${sha1(big)}"\n}` })
    const token = await call(podinfo.url + '/token', { method: 'POST', body: big })
    assert.ok(!('error' in token) && token.status === 200, '10 MiB user name')

    // The answer comes early (from the Content-Length) while the client is still sending, as
    // with Go; a client that reads while it sends (curl, raw sockets) gets it.
    const tooBig = Buffer.concat([big, Buffer.from('!')])
    for (const path of ['/echo', '/api/echo', '/store', '/token']) {
      const connection = await rawConnect(podinfo.port)
      connection.socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${tooBig.length}\r\n\r\n`)
      connection.socket.write(tooBig)
      await within(10_000, '413 closed', connection.closed)
      const text = connection.data().toString()
      assert.match(text, /^HTTP\/1\.1 200 OK\r\n/, path)
      assert.match(text, /\r\nConnection: close\r\n/i, path)
      assert.ok(text.endsWith('\r\n\r\n' + envelope(413, 'request body too large')), path)
    }
    // The same limit without a Content-Length: chunked bodies are counted as they arrive.
    for (const path of ['/echo', '/store']) {
      const connection = await rawConnect(podinfo.port)
      connection.socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n`)
      const chunk = Buffer.alloc(1024 * 1024, 'c')
      for (let i = 0; i < 11 && !connection.isClosed(); i++) {
        connection.socket.write(`${chunk.length.toString(16)}\r\n`)
        connection.socket.write(chunk)
        connection.socket.write('\r\n')
      }
      await within(10_000, 'chunked 413', connection.closed)
      const text = connection.data().toString()
      assert.match(text, /^HTTP\/1\.1 200 OK\r\n/)
      assert.ok(text.endsWith(envelope(413, 'request body too large')), path)
    }
    const files = (await readdir(dataPath)).sort()
    assert.ok(files.every((name) => /^[a-f0-9]{40}$/.test(name)), `only whole files in the data path: ${files.join(' ')}`)
  })

  await t.test('chunked bodies: valid framing is read; broken framing is a 400 or a closed connection, never a crash', async () => {
    const valid = await rawConnect(podinfo.port)
    valid.socket.write('POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n')
    await within(5000, 'chunked echo', valid.closed)
    assert.ok(valid.data().toString().endsWith('\r\n\r\nhello world'))

    const broken = [
      'ffffffffffffffffff\r\nx\r\n', // chunk size overflow
      '5\r\nhelloXX0\r\n\r\n', // missing CRLF after the data
      '-1\r\nx\r\n', // negative size
      '5;' + 'e'.repeat(100_000) + '\r\nhello\r\n0\r\n\r\n' // huge chunk extension
    ]
    for (const framing of broken) {
      const connection = await rawConnect(podinfo.port)
      connection.socket.write('POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n' + framing)
      await within(5000, 'broken chunked closed', connection.closed)
      const text = connection.data().toString()
      assert.ok(text === '' || text.startsWith('HTTP/1.1 400 Bad Request\r\n') || text.endsWith(envelope(400, 'invalid request body')), JSON.stringify(text.slice(0, 200)))
    }
    // Broken framing in the body of routes that do not read it: answered, then closed.
    for (const path of ['/delay/1', '/version', '/status/201']) {
      const connection = await rawConnect(podinfo.port)
      connection.socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n`)
      await within(5000, 'broken chunked closed', connection.closed)
      const text = connection.data().toString()
      assert.ok(text === '' || /^HTTP\/1\.1 (200|201|405) /.test(text), `${path}: ${text.slice(0, 100)}`)
    }
    // A body cut off mid-chunk by the client.
    const cut = await rawConnect(podinfo.port)
    cut.socket.end('POST /store HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc')
    await within(5000, 'cut body', cut.closed)
    assert.deepEqual(summary(await call(podinfo.url + '/version')), { status: 200, body: '{\n  "commit": "unknown",\n  "version": "6.14.1"\n}' })
    const files = await readdir(dataPath)
    assert.ok(files.every((name) => /^[a-f0-9]{40}$/.test(name)), `no partial file left by the cut upload: ${files.join(' ')}`)
  })
})

test('/delay, /status and /chunked with negative, huge, non-numeric and overflowing values', async (t) => {
  const podinfo = await startPodinfo(t)
  const get = async (path: string, timeoutMs = 5000): Promise<ReturnType<typeof summary>> => summary(await call(podinfo.url + path, { timeoutMs }))
  const notFound = { status: 404, body: '404 page not found\n' }
  const overflow = (digits: string): { status: number, body: string } =>
    ({ status: 200, body: envelope(400, `strconv.Atoi: parsing "${digits}": value out of range`) })

  for (const route of ['/delay', '/status', '/chunked']) {
    for (const value of ['-1', '1.5', 'abc', '1e3', '0x10', '%2D1', '%201', '%EF%BC%91', '1%00']) {
      assert.deepEqual(await get(`${route}/${value}`), notFound, `${route}/${value}`)
    }
  }
  for (const digits of ['9223372036854775808', '99999999999999999999999999999999999999']) {
    assert.deepEqual(await get(`/delay/${digits}`), overflow(digits))
    assert.deepEqual(await get(`/status/${digits}`), overflow(digits))
  }
  assert.deepEqual(await get('/delay/000000000000000000000000000000000'), { status: 200, body: '{\n  "delay": 0\n}' })
  assert.deepEqual(await get('/status/0000000000000000000000000000000202'), { status: 202, body: '{\n  "status": 202\n}' })
  for (const code of ['0', '99', '1000', '9223372036854775807']) {
    assert.deepEqual(await get(`/status/${code}`), { status: 200, body: envelope(400, `invalid status code ${code}: must be between 100 and 999`) })
  }

  // Values beyond Node's 2^31-1 ms timer limit must sleep, not fire after 1 ms.
  for (const seconds of ['2147484', '9223372036854775807', '4294967296']) {
    assert.deepEqual(await get(`/delay/${seconds}`, 1500), { error: 'client timeout' }, `/delay/${seconds} did not return early`)
  }
  // /chunked sends its headers at once, then waits: never an early body.
  for (const seconds of ['2147484', '9223372036854775807', '9223372036854775808']) {
    const connection = await rawConnect(podinfo.port)
    connection.socket.write(`GET /chunked/${seconds} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`)
    await new Promise((resolve) => setTimeout(resolve, 1500))
    const text = connection.data().toString()
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/, `/chunked/${seconds}`)
    assert.ok(text.endsWith('\r\n\r\n'), `no body yet for /chunked/${seconds}: ${JSON.stringify(text)}`)
    assert.equal(connection.isClosed(), false)
    connection.socket.destroy()
  }
  assert.deepEqual(await get('/delay/1'), { status: 200, body: '{\n  "delay": 1\n}' })
  assert.equal(podinfo.child.exitCode, null)
})
