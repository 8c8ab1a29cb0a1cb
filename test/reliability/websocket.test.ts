import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import WebSocket from 'ws'
import { startPodinfo } from '../process.js'
import { call, residentMemory, summary, within } from './clients.js'

// Issue item 6: WebSocket abuse against the real process: 200 concurrent sockets, a message
// flood, a client that never reads, oversized frames and a foreign Origin; memory stays
// bounded, close codes are right, other clients are unaffected and shutdown is not blocked.

interface Client {
  ws: WebSocket
  /** Echo replies (`msg`) received so far, in order. */
  echoes: string[]
  closed: Promise<{ code: number, reason: string }>
}

async function open (url: string, options: WebSocket.ClientOptions = {}): Promise<Client> {
  const ws = new WebSocket(url.replace('http://', 'ws://') + '/ws/echo', options)
  const echoes: string[] = []
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString()) as { msg?: string }
    if (message.msg !== undefined) echoes.push(message.msg)
  })
  const closed = new Promise<{ code: number, reason: string }>((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))
  })
  ws.on('error', () => {})
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake ${res.statusCode ?? 0}`)))
    ws.once('error', reject)
  })
  return { ws, echoes, closed }
}

async function echoes (client: Client, count: number, ms = 10_000): Promise<string[]> {
  const deadline = Date.now() + ms
  while (client.echoes.length < count) {
    if (Date.now() > deadline) throw new Error(`${client.echoes.length} of ${count} echoes`)
    await sleep(20)
  }
  return client.echoes
}

test('WebSocket abuse: bounded memory, right close codes, others unaffected, shutdown not blocked', async (t) => {
  const podinfo = await startPodinfo(t, { metrics: true })
  const metrics = `http://127.0.0.1:${podinfo.metricsPort}`

  await t.test('a foreign Origin is refused with 403', async () => {
    await assert.rejects(open(podinfo.url, { origin: 'http://evil.example' }), /handshake 403/)
    await assert.rejects(open(podinfo.url, { origin: 'http://127.0.0.1:1' }), /handshake 403/)
    const same = await open(podinfo.url, { origin: podinfo.url })
    same.ws.close()
  })

  const crowd = await Promise.all(Array.from({ length: 200 }, async () => await open(podinfo.url)))

  await t.test('200 concurrent sockets each get their own echo', async () => {
    crowd.forEach((client, i) => client.ws.send(`hello ${i}`))
    for (const [i, client] of crowd.entries()) assert.deepEqual(await echoes(client, 1), [`hello ${i}`])
  })

  await t.test('oversized frames close with 1009; exactly 1 MiB is echoed', async () => {
    const fits = await open(podinfo.url)
    fits.ws.send(Buffer.alloc(1024 * 1024, 'a'))
    assert.equal((await echoes(fits, 1))[0]?.length, 1024 * 1024)
    fits.ws.close()
    const tooBig = await open(podinfo.url)
    tooBig.ws.send(Buffer.alloc(1024 * 1024 + 1, 'a'))
    assert.equal((await within(5000, 'close 1009', tooBig.closed)).code, 1009)
  })

  await t.test('a flood of 5000 messages is answered in order', async () => {
    const flooder = await open(podinfo.url)
    for (let i = 0; i < 5000; i++) flooder.ws.send(`m${i}`)
    const got = await echoes(flooder, 5000, 20_000)
    assert.deepEqual(got, Array.from({ length: 5000 }, (_, i) => `m${i}`))
    flooder.ws.close()
  })

  await t.test('a client that never reads: bounded server memory, others still served', async () => {
    const before = await residentMemory(metrics)
    const deaf = await open(podinfo.url)
    // Stop reading at the TCP level, then push 40 MiB of messages at the server.
    const raw = (deaf.ws as unknown as { _socket: { pause: () => void } })._socket
    raw.pause()
    const chunk = Buffer.alloc(64 * 1024, 'd')
    for (let i = 0; i < 640; i++) deaf.ws.send(chunk)
    await sleep(2000)
    const after = await residentMemory(metrics)
    assert.ok(after - before < 100 * 1024 * 1024, `resident memory grew by ${Math.round((after - before) / 1048576)} MiB`)
    const other = await open(podinfo.url)
    other.ws.send('still here')
    assert.deepEqual(await echoes(other, 1, 3000), ['still here'])
    other.ws.close()
    assert.deepEqual(summary(await call(podinfo.url + '/healthz', { timeoutMs: 3000 })), { status: 200, body: '{\n  "status": "OK"\n}' })
  })

  await t.test('SIGTERM with 200 open sockets and a deaf client: exit 0, not blocked', async () => {
    const started = Date.now()
    podinfo.child.kill('SIGTERM')
    assert.equal(await within(10_000, 'exit', podinfo.exited), 0)
    assert.ok(Date.now() - started < 8000)
    await within(5000, 'sockets closed', Promise.all(crowd.map(async (client) => await client.closed)))
  })
})
