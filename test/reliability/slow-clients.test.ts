import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { startPodinfo } from '../process.js'
import { call, dribble, envelope, pool, rawConnect, summary, within, type RawConnection } from './clients.js'

// Issue item 1: slowloris, slow bodies, idle floods and connection churn against a real
// process with a 2 s --http-server-timeout. Other clients must keep getting answers, and
// every abusive connection must be bounded by the timeout (plus Node's 1 s sweep).

const VERSION = '{\n  "commit": "unknown",\n  "version": "6.14.1"\n}'

/** 20 ordinary requests, 5 at a time: every one answered 200 within `ms`. */
async function othersAreServed (url: string, ms: number): Promise<void> {
  const results = await pool(20, 5, async () => await call(url + '/version', { timeoutMs: ms }))
  for (const result of results) {
    assert.deepEqual(summary(result), { status: 200, body: VERSION })
    assert.ok(result.ms < ms, `answered in ${result.ms} ms`)
  }
}

test('slow and abusive clients are bounded by --http-server-timeout; everyone else is served', async (t) => {
  const podinfo = await startPodinfo(t, { args: ['--http-server-timeout=2s'] })

  await t.test('slowloris: 150 connections sending headers byte by byte are closed without a response', async () => {
    const connections: RawConnection[] = await Promise.all(Array.from({ length: 150 }, async () => await rawConnect(podinfo.port)))
    const header = 'GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ' + 'a'.repeat(200) + '\r\n\r\n'
    const dribbling = connections.map(async (connection) => { await dribble(connection, header, 100) })
    await sleep(500)
    await othersAreServed(podinfo.url, 3000)
    const lifetimes = await within(10_000, 'slowloris connections closed', Promise.all(connections.map(async (c) => await c.closed)))
    await Promise.all(dribbling)
    for (const [i, lifetime] of lifetimes.entries()) {
      assert.ok(lifetime >= 1500 && lifetime < 5000, `connection ${i} closed after ${lifetime} ms`)
      assert.equal(connections[i]?.data().length, 0, 'a header timeout is answered with nothing (Go closes the connection)')
    }
  })

  await t.test('idle flood: 300 connections that never send a byte are closed; others served meanwhile', async () => {
    const connections = await Promise.all(Array.from({ length: 300 }, async () => await rawConnect(podinfo.port)))
    await othersAreServed(podinfo.url, 3000)
    const lifetimes = await within(10_000, 'idle connections closed', Promise.all(connections.map(async (c) => await c.closed)))
    for (const [i, lifetime] of lifetimes.entries()) {
      assert.ok(lifetime < 5000, `connection ${i} closed after ${lifetime} ms`)
      assert.equal(connections[i]?.data().length, 0)
    }
  })

  await t.test('slow and stalled bodies on /echo: the read timeout answers the invalid request body envelope', async () => {
    const slow = await rawConnect(podinfo.port)
    const stalled = await rawConnect(podinfo.port)
    slow.socket.write('POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n')
    stalled.socket.write('PUT /store HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n' + 'x'.repeat(10))
    const dribbling = dribble(slow, 'y'.repeat(1000), 50)
    await othersAreServed(podinfo.url, 3000)
    for (const connection of [slow, stalled]) {
      const lifetime = await within(10_000, 'slow body closed', connection.closed)
      assert.ok(lifetime >= 1500 && lifetime < 5000, `closed after ${lifetime} ms`)
      const text = connection.data().toString()
      assert.match(text, /^HTTP\/1\.1 200 OK\r\n/)
      assert.match(text, /\r\nContent-Type: application\/json; charset=utf-8\r\n/)
      assert.match(text, /\r\nConnection: close\r\n/)
      assert.ok(text.endsWith('\r\n\r\n' + envelope(400, 'invalid request body')), text)
    }
    await dribbling
  })

  await t.test('a slow request body is fine while it finishes within the timeout', async () => {
    const connection = await rawConnect(podinfo.port)
    connection.socket.write('POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\nConnection: close\r\n\r\n')
    await dribble(connection, '0123456789', 100)
    await within(5000, 'echo answered', connection.closed)
    const text = connection.data().toString()
    assert.match(text, /^HTTP\/1\.1 202 Accepted\r\n/)
    assert.ok(text.endsWith('\r\n\r\n0123456789'), text)
  })

  await t.test('keep-alive: an idle keep-alive connection outlives the header timeout and closes after 2 × timeout', async () => {
    const connection = await rawConnect(podinfo.port)
    const request = 'GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'
    connection.socket.write(request)
    await sleep(2800) // longer than the 2 s header/read timeout, shorter than the 4 s idle timeout
    assert.equal(connection.isClosed(), false, 'still open while idle for less than the keep-alive timeout')
    connection.socket.write(request)
    const lifetime = await within(10_000, 'keep-alive connection closed', connection.closed)
    const responses = connection.data().toString().split('HTTP/1.1 200 OK').length - 1
    assert.equal(responses, 2, 'both requests answered on the one connection')
    assert.ok(lifetime >= 2800 + 3000 && lifetime < 2800 + 7000, `closed ${lifetime} ms after connect`)
  })

  await t.test('connection churn: 3000 connections opened and dropped at every stage; the server is unaffected', async () => {
    const stages = [
      '',
      'GET /ver',
      'GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
      'POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n' + 'z'.repeat(5000),
      'GET /delay/1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'
    ]
    await pool(3000, 50, async (i) => {
      const connection = await rawConnect(podinfo.port)
      connection.socket.write(stages[i % stages.length] as string)
      if (i % 2 === 0) connection.socket.resetAndDestroy()
      else connection.socket.destroy()
    })
    await othersAreServed(podinfo.url, 3000)
    assert.equal(podinfo.child.exitCode, null, 'still running')
  })

  await t.test('malformed requests get Go\'s plain 400, oversized header blocks 431; the connection closes', async () => {
    const cases: Array<[string, string]> = [
      ['GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\nNo colon here\r\n\r\n', '400 Bad Request'],
      ['GET /version HTTP/9.9\r\n\r\n', '400 Bad Request'],
      ['POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!', '400 Bad Request'],
      ['GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ' + 'b'.repeat(1024 * 1024 + 10) + '\r\n\r\n', '431 Request Header Fields Too Large']
    ]
    for (const [request, status] of cases) {
      const connection = await rawConnect(podinfo.port)
      connection.socket.write(request)
      await within(5000, 'malformed request closed', connection.closed)
      assert.equal(connection.data().toString(),
        `HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${status}`)
    }
    // Broken chunked framing inside a body a handler reads: the read fails (spec §4.4).
    const connection = await rawConnect(podinfo.port)
    connection.socket.write('POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n')
    await within(5000, 'broken chunked body closed', connection.closed)
    assert.ok(connection.data().toString().endsWith('\r\n\r\n' + envelope(400, 'invalid request body')))
    await othersAreServed(podinfo.url, 3000)
  })
})
