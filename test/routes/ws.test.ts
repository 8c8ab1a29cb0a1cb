import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { request, type IncomingMessage } from 'node:http'
import { randomBytes } from 'node:crypto'
import Fastify, { type FastifyInstance } from 'fastify'
import { WebSocket, type RawData } from 'ws'
import websocketPlugin, { type WsEchoTimings } from '../../plugins/websocket.js'
import echoRoutes from '../../routes/ws/echo.js'
import type { Config } from '../../schemas/config.js'
import { build } from '../helper.js'

const TS = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,9})?(Z|[+-]\\d\\d:\\d\\d)'
const echoLine = (msg: string): RegExp => new RegExp(`^\\{"ts":"${TS}","msg":"${msg.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}"\\}\\n$`)

/** Messages as text, collected from the moment the socket exists. */
function inbox (ws: WebSocket): { next: () => Promise<string>, all: string[] } {
  const all: string[] = []
  const waiting: Array<(text: string) => void> = []
  let read = 0
  ws.on('message', (data: RawData, isBinary) => {
    assert.equal(isBinary, false, 'podinfo answers with text messages')
    all.push(String(data))
    waiting.shift()?.(String(data))
  })
  return {
    all,
    next: async () => {
      if (read < all.length) return all[read++] as string
      read++
      return await new Promise<string>((resolve) => waiting.push(resolve))
    }
  }
}

async function listen (t: TestContext, server: FastifyInstance): Promise<number> {
  await server.listen({ port: 0, host: '127.0.0.1' })
  return (server.server.address() as { port: number }).port
}

async function connect (t: TestContext, url: string, options: ConstructorParameters<typeof WebSocket>[2] = {}): Promise<WebSocket> {
  const ws = new WebSocket(url, options)
  t.after(() => ws.terminate())
  await once(ws, 'open')
  return ws
}

/** A bare app with the websocket plugin (short session clock) and the echo route. */
async function quickApp (t: TestContext, timings: Partial<WsEchoTimings>): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, exposeHeadRoutes: false })
  app.decorate('config', { hostname: 'pod-<1>' } as unknown as Config)
  await app.register(websocketPlugin, { timings })
  await app.register(echoRoutes, { prefix: '/ws' })
  await app.ready()
  t.after(() => app.close())
  return app
}

interface RawResult { status: number, headers: IncomingMessage['headers'], body: string }

/** A hand-made handshake over a real socket, to see exactly what the server answers. */
async function handshake (port: number, headers: Record<string, string>, method = 'GET'): Promise<RawResult> {
  const req = request({ host: '127.0.0.1', port, path: '/ws/echo', method, headers, agent: false })
  req.end()
  return await new Promise<RawResult>((resolve, reject) => {
    req.on('upgrade', (res, socket) => {
      socket.destroy()
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' })
    })
    req.on('response', (res) => {
      let body = ''
      res.on('data', (chunk: Buffer) => { body += chunk.toString() })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
  })
}

const upgradeHeaders = (extra: Record<string, string> = {}): Record<string, string> => ({
  connection: 'Upgrade',
  upgrade: 'websocket',
  'sec-websocket-version': '13',
  'sec-websocket-key': randomBytes(16).toString('base64'),
  ...extra
})

test('echo: every message comes back as {"ts","msg"}\\n text, in order, Go-escaped', async (t) => {
  const server = await build(t)
  const port = await listen(t, server)
  const ws = await connect(t, `ws://127.0.0.1:${port}/ws/echo`)
  const box = inbox(ws)
  ws.send('hello')
  const first = await box.next()
  assert.match(first, echoLine('hello'))
  const ts = Date.parse(JSON.parse(first).ts as string)
  assert.ok(Math.abs(Date.now() - ts) < 60_000)

  ws.send('<b>&"\n')
  assert.match(await box.next(), echoLine('\\u003cb\\u003e\\u0026\\"\\n'))
  ws.send(Buffer.from([0x68, 0xff, 0x69]), { binary: true }) // binary, invalid UTF-8
  assert.match(await box.next(), echoLine('h\\ufffdi'))
  for (let i = 0; i < 50; i++) ws.send(`m${i}`)
  for (let i = 0; i < 50; i++) assert.match(await box.next(), echoLine(`m${i}`))
})

test('handshake: podinfo\'s checks, order and plain-text errors', async (t) => {
  const server = await build(t)
  const port = await listen(t, server)
  const expectError = (res: RawResult, status: number, text: string): void => {
    assert.equal(res.status, status)
    assert.equal(res.body, text + '\n')
    assert.equal(res.headers['sec-websocket-version'], '13')
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8')
  }
  expectError(await handshake(port, {}), 400, 'Bad Request') // curl's plain GET
  expectError(await handshake(port, {}, 'POST'), 400, 'Bad Request') // Connection before method
  expectError(await handshake(port, upgradeHeaders({ upgrade: 'h2c' })), 400, 'Bad Request')
  expectError(await handshake(port, upgradeHeaders(), 'POST'), 405, 'Method Not Allowed')
  expectError(await handshake(port, upgradeHeaders({ 'sec-websocket-version': '8' })), 400, 'Bad Request')
  const forbidden = await handshake(port, upgradeHeaders({ origin: 'http://evil.example' }))
  expectError(forbidden, 403, 'Forbidden')
  assert.equal(forbidden.headers.connection, 'close')
  expectError(await handshake(port, upgradeHeaders({ 'sec-websocket-key': 'c2hvcnQ=' })), 400, 'Bad Request')

  const sameOrigin = await handshake(port, upgradeHeaders({ origin: `http://127.0.0.1:${port}`, 'sec-websocket-protocol': 'chat, superchat' }))
  assert.equal(sameOrigin.status, 101)
  assert.equal(sameOrigin.headers['sec-websocket-protocol'], undefined) // no subprotocol is ever selected
  assert.equal((await handshake(port, upgradeHeaders({ connection: 'keep-alive, Upgrade' }))).status, 101)

  const plain = await server.inject('/ws/echo')
  assert.equal(plain.statusCode, 400)
  assert.equal(plain.body, 'Bad Request\n')
})

test('a real client: no compression even when offered, status messages every 5 s with the hostname', { timeout: 20_000 }, async (t) => {
  const server = await build(t)
  const port = await listen(t, server)
  const ws = await connect(t, `ws://127.0.0.1:${port}/ws/echo`, { perMessageDeflate: true })
  assert.equal(ws.extensions, '')
  const box = inbox(ws)
  const status = await box.next()
  assert.match(status, new RegExp(`^\\{"ts":"${TS}","server":"${server.config.hostname}"\\}\\n$`))
})

test('1 MiB messages are echoed; a larger one closes the session with 1009', async (t) => {
  const server = await build(t)
  const port = await listen(t, server)
  const ws = await connect(t, `ws://127.0.0.1:${port}/ws/echo`)
  const box = inbox(ws)
  ws.send('a'.repeat(1024 * 1024))
  const reply = await box.next()
  assert.equal(JSON.parse(reply).msg.length, 1024 * 1024)
  const closed = once(ws, 'close')
  ws.send('a'.repeat(1024 * 1024 + 1))
  const [code] = await closed as [number, Buffer]
  assert.equal(code, 1009)
})

test('pings every pingMs; a client that never pongs is dropped at the read deadline, one that does stays', async (t) => {
  const app = await quickApp(t, { statusMs: 60_000, pingMs: 50, readDeadlineMs: 300 })
  const port = await listen(t, app)
  const silent = await connect(t, `ws://127.0.0.1:${port}/ws/echo`, { autoPong: false })
  const polite = await connect(t, `ws://127.0.0.1:${port}/ws/echo`)
  let pings = 0
  polite.on('ping', () => { pings++ })
  const [code] = await once(silent, 'close') as [number]
  assert.equal(code, 1006) // dropped without a close frame, as podinfo does
  assert.ok(pings >= 2)
  assert.equal(polite.readyState, WebSocket.OPEN)
  // a pong (not a data message) is what keeps a session alive
  await new Promise((resolve) => setTimeout(resolve, 400))
  assert.equal(polite.readyState, WebSocket.OPEN)
})

test('status messages carry the hostname, Go-escaped', async (t) => {
  const app = await quickApp(t, { statusMs: 30 })
  const port = await listen(t, app)
  const ws = await connect(t, `ws://127.0.0.1:${port}/ws/echo`)
  assert.match(await inbox(ws).next(), new RegExp(`^\\{"ts":"${TS}","server":"pod-\\\\u003c1\\\\u003e"\\}\\n$`))
})

test('backpressure: a client that stops reading loses nothing and gets every reply in order', { timeout: 30_000 }, async (t) => {
  const server = await build(t)
  const port = await listen(t, server)
  const ws = await connect(t, `ws://127.0.0.1:${port}/ws/echo`)
  const box = inbox(ws)
  ws.pause()
  const payload = 'x'.repeat(16 * 1024)
  const count = 300
  for (let i = 0; i < count; i++) ws.send(`${i}:${payload}`)
  await new Promise((resolve) => setTimeout(resolve, 200))
  ws.resume()
  const seen: number[] = []
  while (seen.length < count) {
    const msg = JSON.parse(await box.next()) as { msg?: string }
    if (msg.msg !== undefined) seen.push(Number(msg.msg.slice(0, msg.msg.indexOf(':'))))
  }
  assert.deepEqual(seen, Array.from({ length: count }, (_, i) => i))
})

test('open sessions never block shutdown: clients get 1001 and close() returns', { timeout: 10_000 }, async (t) => {
  const server = await build(t)
  const port = await listen(t, server)
  const clients = await Promise.all([1, 2, 3].map(async () => await connect(t, `ws://127.0.0.1:${port}/ws/echo`)))
  // one client that never answers the close handshake
  const rude = await connect(t, `ws://127.0.0.1:${port}/ws/echo`)
  rude.pause()
  const closes = clients.map(async (c) => (await once(c, 'close'))[0] as number)
  await server.close()
  assert.deepEqual(await Promise.all(closes), [1001, 1001, 1001])
})

test('a client close is answered and ends the session', async (t) => {
  const server = await build(t)
  const port = await listen(t, server)
  const ws = await connect(t, `ws://127.0.0.1:${port}/ws/echo`)
  const closed = once(ws, 'close')
  ws.close(1000, 'bye')
  const [code] = await closed as [number]
  assert.equal(code, 1000)
  assert.equal(server.wsEcho.server?.clients.size, 0)
})

test('a finished session is recorded in the metrics as status 200 with its duration', async (t) => {
  const server = await build(t)
  const port = await listen(t, server)
  const ws = await connect(t, `ws://127.0.0.1:${port}/ws/echo`)
  const closed = once(ws, 'close')
  ws.close()
  await closed
  await new Promise((resolve) => setTimeout(resolve, 50))
  const metrics = (await server.inject('/metrics')).body
  assert.match(metrics, /^http_request_duration_seconds_count\{method="GET",path="ws_echo",status="200"\} 1$/m)
})

test('upgrade requests to other routes are answered as plain HTTP (curl --http2 sends Upgrade: h2c)', async (t) => {
  const server = await build(t)
  const port = await listen(t, server)
  const get = async (path: string, headers: Record<string, string>): Promise<RawResult> => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false })
    req.end()
    return await new Promise<RawResult>((resolve, reject) => {
      req.on('upgrade', (res, socket) => { socket.destroy(); resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' }) })
      req.on('response', (res) => {
        let body = ''
        res.on('data', (chunk: Buffer) => { body += chunk.toString() })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      })
      req.on('error', reject)
    })
  }
  const version = '{\n  "commit": "unknown",\n  "version": "6.14.1"\n}'
  for (const headers of [
    { connection: 'Upgrade, HTTP2-Settings', upgrade: 'h2c', 'http2-settings': 'AAMAAABkAAQCAAAAAAIAAAAA' },
    upgradeHeaders()
  ]) {
    const res = await get('/version', headers)
    assert.equal(res.status, 200, headers.upgrade)
    assert.equal(res.body, version)
    assert.equal(res.headers.connection, 'close')
  }
  const missing = await get('/nope', upgradeHeaders())
  assert.equal(missing.status, 404)
  assert.equal(missing.body, '404 page not found\n')
})
