import { describe, it, test } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import { PassThrough } from 'node:stream'
import tls from 'node:tls'
import { createServer } from 'nice-grpc'
import { HealthDefinition, HealthServiceImpl, HealthState } from 'nice-grpc-server-health'
import { WebSocketServer } from 'ws'
import { checkCert } from '../../cli/check-cert.js'
import { DevLogger } from '../../cli/log.js'
import { parseLogs, podcli } from './podcli.js'
import { closedPort, listen, selfSigned } from './servers.js'

describe('podcli check tcp', { concurrency: 2 }, () => {
  it('succeeds when the port accepts connections', async (t) => {
    const server = net.createServer((socket) => socket.end())
    const port = await listen(server)
    t.after(() => server.close())
    const r = await podcli(['check', 'tcp', `127.0.0.1:${port}`, '--delay', '0s'])
    assert.equal(r.code, 0)
    assert.equal(r.stdout, '')
    assert.deepEqual(r.logs.map((l) => [l.level, l.message, l.fields]), [['INFO', 'check succeed', { address: `127.0.0.1:${port}` }]])
    assert.match(r.logs[0].caller, /^cli\/check-tcp\.ts:\d+$/)
  })

  it('fails on a closed port, naming the refused connection', async () => {
    const port = await closedPort()
    const r = await podcli(['check', 'tcp', `127.0.0.1:${port}`, '--delay', '0s', '--retry', '1'])
    assert.equal(r.code, 1)
    const error = `dial tcp 127.0.0.1:${port}: connect: connection refused`
    assert.deepEqual(r.logs.map((l) => [l.message, l.fields]), [
      ['check failed', { address: `127.0.0.1:${port}`, error }],
      ['check failed', { address: `127.0.0.1:${port}`, error }],
      [`giving up after 2 attempts: ${error}`, { address: `127.0.0.1:${port}` }]
    ])
  })
})

describe('podcli check grpc', { concurrency: 3 }, () => {
  async function healthServer (t: { after: (fn: () => unknown) => void }, withHealth = true): Promise<number> {
    const server = createServer()
    if (withHealth) {
      const state = HealthState()
      state.setStatus('healthy')
      state.setStatus('unhealthy', 'podinfo')
      server.add(HealthDefinition, HealthServiceImpl(state))
    }
    const port = await server.listen('127.0.0.1:0')
    t.after(() => server.forceShutdown())
    return port
  }

  it('succeeds with SERVING, and with NOT_SERVING too (podinfo quirk)', async (t) => {
    const port = await healthServer(t)
    const [serving, notServing] = await Promise.all([
      podcli(['check', 'grpc', `127.0.0.1:${port}`]),
      podcli(['check', 'grpc', `127.0.0.1:${port}`, '--service=podinfo'])
    ])
    assert.equal(serving.code, 0)
    assert.deepEqual(serving.logs.map((l) => [l.message, l.fields]), [['check succeed', { status: 'SERVING' }]])
    assert.equal(notServing.code, 0)
    assert.deepEqual(notServing.logs.map((l) => [l.message, l.fields]), [['check succeed', { status: 'NOT_SERVING' }]])
  })

  it('retries an unknown service and a refused connection, then exits 1', async (t) => {
    const port = await healthServer(t)
    const closed = await closedPort()
    const [unknown, refused] = await Promise.all([
      podcli(['check', 'grpc', `127.0.0.1:${port}`, '--service', 'nope', '--retry', '1', '--delay', '10ms']),
      podcli(['check', 'grpc', `127.0.0.1:${closed}`])
    ])
    assert.equal(unknown.code, 1)
    const notFound = "rpc error: code = NotFound desc = Unknown service: 'nope'"
    assert.deepEqual(unknown.logs.map((l) => l.message), ['check failed', 'check failed', `giving up after 2 attempts: ${notFound}`])
    assert.equal(unknown.logs[0].fields.error, notFound)
    assert.equal(refused.code, 1)
    assert.equal(refused.logs[0].fields.error,
      `rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:${closed}: connect: connection refused"`)
  })

  it('stops at once when the server has no health service', async (t) => {
    const port = await healthServer(t, false)
    const r = await podcli(['check', 'grpc', `127.0.0.1:${port}`, '--retry', '3', '--delay', '10ms'])
    assert.equal(r.code, 1)
    assert.deepEqual(r.logs.map((l) => [l.message, l.fields]), [['gRPC health protocol not implemented', {}]])
  })
})

describe('podcli check ws', { concurrency: 3 }, () => {
  async function wsServer (t: { after: (fn: () => unknown) => void }, onMessage: 'echo' | 'silent'): Promise<number> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/ws/echo' })
    await new Promise((resolve) => wss.once('listening', resolve))
    wss.on('connection', (socket) => {
      socket.on('message', (data) => { if (onMessage === 'echo') socket.send(`{"msg":"${String(data)}"}\n`) })
    })
    t.after(() => { for (const c of wss.clients) c.terminate(); wss.close() })
    return (wss.address() as net.AddressInfo).port
  }

  it('succeeds on the first message back, with round-trip and response size', async (t) => {
    const port = await wsServer(t, 'echo')
    const r = await podcli(['check', 'ws', `ws://127.0.0.1:${port}/ws/echo`])
    assert.equal(r.code, 0)
    assert.equal(r.logs.length, 1)
    assert.equal(r.logs[0].message, 'check succeed')
    assert.equal(r.logs[0].fields.address, `ws://127.0.0.1:${port}/ws/echo`)
    assert.equal(r.logs[0].fields['response size'], '{"msg":"podinfo-check"}\n'.length)
    assert.match(String(r.logs[0].fields['round-trip']), /^\d+(\.\d+)?(ns|µs|ms|s)$/)
  })

  it('fails on a wrong path and on a silent server, naming each', async (t) => {
    const echo = await wsServer(t, 'echo')
    const silent = await wsServer(t, 'silent')
    const [wrongPath, noReply] = await Promise.all([
      podcli(['check', 'ws', `ws://127.0.0.1:${echo}/ws/nope`]),
      podcli(['check', 'ws', `ws://127.0.0.1:${silent}/ws/echo`, '--timeout', '300ms'])
    ])
    assert.equal(wrongPath.code, 1)
    assert.equal(wrongPath.logs[0].fields.error, 'websocket: bad handshake (HTTP 400 Bad Request)')
    assert.equal(noReply.code, 1)
    assert.equal(noReply.logs[0].fields.error, `read tcp 127.0.0.1:${silent}: i/o timeout`)
  })
})

/** `check cert` always dials port 443. Tests run as root here; elsewhere the port is injected. */
async function tlsOn443 (t: { after: (fn: () => unknown) => void }, key: string, cert: string): Promise<boolean> {
  const server = tls.createServer({ key, cert }, (socket) => socket.end())
  try {
    await listen(server, 443)
  } catch {
    return false
  }
  t.after(() => server.close())
  return true
}

test('podcli check cert reports a valid certificate and rejects an expired one', async (t) => {
  const valid = selfSigned(t, 'podinfo.test')
  const expired = selfSigned(t, 'expired.test', { expired: true })
  if (await tlsOn443(t, valid.key, valid.cert)) {
    const ok = await podcli(['check', 'cert', 'https://127.0.0.1:9999/ignored-port'])
    assert.equal(ok.code, 0)
    assert.equal(ok.logs[0].message, 'check succeed')
    assert.deepEqual(Object.keys(ok.logs[0].fields), ['address', 'issuer', 'subject', 'notAfter', 'notBefore'])
    assert.equal(ok.logs[0].fields.address, '127.0.0.1:443')
    assert.equal(ok.logs[0].fields.issuer, 'podinfo.test')
    assert.equal(ok.logs[0].fields.subject, 'podinfo.test')
    assert.match(String(ok.logs[0].fields.notAfter), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000(Z|[+-]\d{4})$/)
  } else {
    t.diagnostic('cannot bind 127.0.0.1:443 here: checking through the injectable port instead')
  }
  // The expired certificate (and the non-root fallback) go through the same code with an injected port.
  const server = tls.createServer({ key: expired.key, cert: expired.cert }, (socket) => socket.end())
  const port = await listen(server)
  t.after(() => server.close())
  const stderr = new PassThrough()
  let text = ''
  stderr.on('data', (d: Buffer) => { text += String(d) })
  const ctx = { log: new DevLogger(stderr), stdout: new PassThrough(), stderr, stdin: new PassThrough() }
  assert.equal(await checkCert(ctx, '127.0.0.1', port), 1)
  const [line] = parseLogs(text)
  assert.equal(line.message, 'check failed')
  assert.deepEqual(Object.keys(line.fields), ['address', 'issuer', 'subject', 'expired'])
  assert.equal(line.fields.subject, 'expired.test')
  assert.ok(Date.parse(String(line.fields.expired).replace(/([+-]\d\d)(\d\d)$/, '$1:$2')) < Date.now())

  const closed = await closedPort()
  assert.equal(await checkCert(ctx, '127.0.0.1', closed), 1)
  assert.equal(parseLogs(text)[1].fields.error, `dial tcp 127.0.0.1:${closed}: connect: connection refused`)
})
