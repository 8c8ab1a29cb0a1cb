import { test } from 'node:test'
import assert from 'node:assert/strict'
import { build } from '../helper.js'
import { startPodinfo } from '../process.js'
import { get, header, listen, parseResponses, rawExchange, request } from '../raw-http.js'

test('with --http-server-timeout=1s a response finishing after the deadline is never sent (real process)', async (t) => {
  const podinfo = await startPodinfo(t, { args: ['--http-server-timeout=1s'] })

  // /delay/2: the client waits ~2 s, then the connection closes without a status line
  const started = Date.now()
  const delayed = await rawExchange(podinfo.port, get('/delay/2'), { timeoutMs: 10_000 })
  assert.equal(delayed.closed, true)
  assert.equal(delayed.data.length, 0, delayed.data.toString())
  assert.ok(Date.now() - started >= 1900, `closed after ${Date.now() - started} ms`)

  // /chunked/2: 200 headers at once, then the connection closes without the body
  const chunked = await rawExchange(podinfo.port, request('GET', '/chunked/2').replace('Connection: close', 'Connection: keep-alive'), { timeoutMs: 10_000 })
  assert.equal(chunked.closed, true)
  const [res] = parseResponses(chunked.data)
  assert.ok(res !== undefined, chunked.data.toString())
  assert.equal(res.status, 200)
  assert.equal(header(res, 'transfer-encoding'), 'chunked')
  assert.equal(res.body.length, 0)

  // within the deadline everything is normal, and the process is still up
  const [ok] = parseResponses((await rawExchange(podinfo.port, get('/delay/0'))).data)
  assert.equal(ok?.status, 200)
  assert.equal(ok?.body.toString(), '{\n  "delay": 0\n}')
  const [chunkOk] = parseResponses((await rawExchange(podinfo.port, get('/chunked/0'))).data)
  assert.equal(chunkOk?.status, 200)
  assert.equal(podinfo.child.exitCode, null)
})

test('a request whose headers never finish is closed without a response after the read timeout', async (t) => {
  const podinfo = await startPodinfo(t, { args: ['--http-server-timeout=1s'] })
  const result = await rawExchange(podinfo.port, 'GET /version HTTP/1.1\r\nHost: x\r\n', { timeoutMs: 8000 })
  assert.equal(result.closed, true)
  assert.doesNotMatch(result.data.toString(), /HTTP\/1\.1 200/)
})

test('responses cut off by the write timeout are still observed in the metrics, with status 200', async (t) => {
  const app = await build(t, {}, { argv: ['--http-server-timeout=1s'] })
  const port = await listen(t, app)
  const delayed = await rawExchange(port, get('/delay/2'), { timeoutMs: 10_000 })
  assert.equal(delayed.data.length, 0)
  const chunked = await rawExchange(port, get('/chunked/2'), { timeoutMs: 10_000 })
  assert.equal(chunked.closed, true)
  const text = (await app.inject('/metrics')).body
  assert.match(text, /^http_request_duration_seconds_count\{method="GET",path="delay",status="200"\} 1$/m)
  assert.match(text, /^http_request_duration_seconds_count\{method="GET",path="chunked_wait_0_9",status="200"\} 1$/m)
  assert.match(text, /^http_requests_total\{status="200"\} 2$/m)
  assert.equal((await app.inject('/delay/0')).statusCode, 200)
})
