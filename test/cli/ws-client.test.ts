import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { collect, spawnPodcli } from './podcli.js'
import { closedPort } from './servers.js'

async function server (t: { after: (fn: () => unknown) => void }, onConnection: (socket: WebSocket, req: IncomingMessage) => void): Promise<number> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise((resolve) => wss.once('listening', resolve))
  wss.on('connection', onConnection)
  t.after(() => { for (const c of wss.clients) c.terminate(); wss.close() })
  return (wss.address() as AddressInfo).port
}

describe('podcli ws (interactive client)', { concurrency: 3 }, () => {
  it('sends each line, prints every message as "< text", sends the default Origin and exits 0 at end of input', async (t) => {
    const origins: Array<string | undefined> = []
    const port = await server(t, (socket, req) => {
      origins.push(req.headers.origin)
      socket.on('message', (data) => {
        socket.send(`echo ${String(data)}`)
        if (String(data) === 'bin') socket.send(Buffer.from([0x01, 0xab, 0xff]), { binary: true })
      })
    })
    const started = Date.now()
    const child = spawnPodcli(['ws', `127.0.0.1:${port}/ws/echo`])
    let seen = ''
    let step = 0
    child.stdout?.on('data', (d: Buffer) => {
      seen += String(d)
      if (step === 0 && seen.includes('< echo hello\n')) { step = 1; child.stdin?.write('bin\n') }
      if (step === 1 && seen.includes('< 01 ab ff \n')) { step = 2; child.stdin?.end() }
    })
    child.stdin?.write('hello\n')
    const r = await collect(child, started)
    assert.equal(r.code, 0)
    assert.deepEqual(origins, [`http://127.0.0.1:${port}/ws/echo`])
    const received = r.stdout.split('\n').map((l) => l.replace(/^(> )+/, '')).filter((l) => l.startsWith('<'))
    assert.deepEqual(received, ['< echo hello', '< echo bin', '< 01 ab ff '])
    assert.deepEqual(r.logs.map((l) => [l.message, l.fields]), [['websocket closed', { error: 'EOF' }]])
  })

  it('prints the read error and exits 1 when the server closes, with --origin sent as given', async (t) => {
    const origins: Array<string | undefined> = []
    const port = await server(t, (socket, req) => {
      origins.push(req.headers.origin)
      socket.close(1009, 'too big')
    })
    const child = spawnPodcli(['ws', `ws://127.0.0.1:${port}/`, '-o', 'http://example.com'])
    const r = await collect(child, Date.now())
    assert.equal(r.code, 1)
    assert.deepEqual(origins, ['http://example.com'])
    assert.match(r.stdout, /< websocket: close 1009 \(message too big\): too big\n$/)
  })

  it('logs a failed dial as "websocket closed" with the reason (exit 0, as podinfo does)', async () => {
    const port = await closedPort()
    const child = spawnPodcli(['ws', `127.0.0.1:${port}`])
    const r = await collect(child, Date.now())
    assert.equal(r.code, 0)
    assert.deepEqual(r.logs.map((l) => [l.message, l.fields]),
      [['websocket closed', { error: `dial tcp 127.0.0.1:${port}: connect: connection refused` }]])
  })
})
