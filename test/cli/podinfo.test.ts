import { test } from 'node:test'
import assert from 'node:assert/strict'
import { type Podinfo, startPodinfo } from '../process.js'
import { podcli } from './podcli.js'

/** podcli against the real podinfo process, the way probes and canary checks use it. */

test('podcli checks against podinfo: probes, readiness flip, WebSocket echo and gRPC health', async (t) => {
  const podinfo = await startPodinfo(t, { grpc: true })
  await stopAfter(podinfo, async () => await checks(podinfo))
})

async function checks (podinfo: Podinfo): Promise<void> {
  const host = `127.0.0.1:${podinfo.port}`
  const [healthz, ws, wsWrongPath, grpc, grpcPodinfo, grpcUnknown, tcp] = await Promise.all([
    podcli(['check', 'http', `${host}/healthz`, '--delay', '0s']),
    podcli(['check', 'ws', `ws://${host}/ws/echo`]),
    podcli(['check', 'ws', `ws://${host}/ws/nope`]),
    podcli(['check', 'grpc', `127.0.0.1:${podinfo.grpcPort}`]),
    podcli(['check', 'grpc', `127.0.0.1:${podinfo.grpcPort}`, '--service', 'podinfo']),
    podcli(['check', 'grpc', `127.0.0.1:${podinfo.grpcPort}`, '--service', 'nope']),
    podcli(['check', 'tcp', host, '--delay', '0s'])
  ])
  assert.equal(healthz.code, 0, healthz.stderr)
  assert.deepEqual(healthz.logs.map((l) => [l.message, l.fields]), [['check succeed',
    { address: `http://${host}/healthz`, 'status code': 200, 'response size': '20 B' }]])

  assert.equal(ws.code, 0, ws.stderr)
  assert.equal(ws.logs[0].message, 'check succeed')
  // podinfo answers `{"ts":"…","msg":"podinfo-check"}\n`
  assert.ok(Number(ws.logs[0].fields['response size']) > '{"ts":"","msg":"podinfo-check"}\n'.length)

  assert.equal(wsWrongPath.code, 1)
  assert.equal(wsWrongPath.logs[0].fields.error, 'websocket: bad handshake (HTTP 404 Not Found)')

  assert.equal(grpc.code, 0, grpc.stderr)
  assert.deepEqual(grpc.logs.map((l) => [l.message, l.fields]), [['check succeed', { status: 'SERVING' }]])
  assert.equal(grpcPodinfo.code, 0, grpcPodinfo.stderr)
  assert.equal(grpcUnknown.code, 1)
  assert.equal(grpcUnknown.logs[0].fields.error, 'rpc error: code = NotFound desc = unknown service')
  assert.equal(tcp.code, 0)

  const disable = await fetch(`${podinfo.url}/readyz/disable`, { method: 'POST' })
  assert.equal(disable.status, 202)
  const notReady = await podcli(['check', 'http', `${host}/readyz`, '--delay', '0s', '--retry', '1'])
  assert.equal(notReady.code, 1)
  assert.deepEqual(notReady.logs.map((l) => l.message), ['check failed', 'check failed', 'giving up after 2 attempts: status code 503'])
  assert.deepEqual(notReady.logs[0].fields, { address: `http://${host}/readyz`, 'status code': 503 })
}

test('podcli load against podinfo --random-error and /status/503', async (t) => {
  const podinfo = await startPodinfo(t, { args: ['--random-error'], waitFor: false })
  const plain = await startPodinfo(t)
  await stopAfter(podinfo, async () => await stopAfter(plain, async () => await loads(podinfo, plain)))
})

async function loads (podinfo: Podinfo, plain: Podinfo): Promise<void> {
  // wait for the random-error server without caring about its random answers
  for (let i = 0; ; i++) {
    try { await fetch(`${podinfo.url}/version`); break } catch { if (i > 400) throw new Error('podinfo did not start') }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const [random, strict, unavailable] = await Promise.all([
    podcli(['load', `${podinfo.url}/version`, '-n', '600', '-c', '4', '--json', '--max-error-rate', '0.6']),
    podcli(['load', `${podinfo.url}/version`, '-n', '200', '-c', '4', '--json', '--max-error-rate', '0.01']),
    podcli(['load', `${plain.url}/status/503`, '-n', '100', '-c', '4', '--json', '--max-error-rate', '0.5'])
  ])
  assert.equal(random.code, 0, random.stderr)
  const report = JSON.parse(random.stdout)
  assert.equal(report.requests.total, 600)
  // 1/3 of requests fail with 500, 400 or 409: 600 draws keep the rate within 0.2–0.47 (7 sd)
  assert.ok(report.errors.rate > 0.2 && report.errors.rate < 0.47, `error rate ${report.errors.rate}`)
  assert.deepEqual(Object.keys(report.statusCodes).filter((c) => c !== '200').sort(), ['400', '409', '500'])

  assert.equal(strict.code, 2, strict.stderr)
  assert.equal(JSON.parse(strict.stdout).pass, false)

  assert.equal(unavailable.code, 2, unavailable.stderr)
  const u = JSON.parse(unavailable.stdout)
  assert.deepEqual(u.statusCodes, { 503: 100 })
  assert.equal(u.errors.rate, 1)
}

/**
 * Stop podinfo with SIGTERM however the test ends: the tsx launcher forwards it to the
 * server, whereas the SIGKILL fallback would end only the launcher and leave the server
 * running (holding this file's pipes open).
 */
async function stopAfter (podinfo: Podinfo, body: () => Promise<void>): Promise<void> {
  try {
    await body()
  } finally {
    await podinfo.stop()
  }
}
