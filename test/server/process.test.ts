import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import http2 from 'node:http2'
import { request as httpsRequest, type RequestOptions } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import type { TLSSocket } from 'node:tls'
import { helpText } from '../../lib/config.js'
import { freePort, startPodinfo } from '../process.js'

const ROOT = join(import.meta.dirname, '..', '..')
const DIST = join(ROOT, 'dist', 'server.js')
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs')

function run (args: string[], env: Record<string, string> = {}): { status: number | null, stdout: string, stderr: string } {
  const result = spawnSync(process.execPath, [TSX, join(ROOT, 'server.ts'), ...args], {
    cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 20_000
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

test('--version prints the version on stdout and exits 0', () => {
  assert.deepEqual(run(['--version']), { status: 0, stdout: '6.14.1\n', stderr: '' })
  assert.deepEqual(run(['-v']), { status: 0, stdout: '6.14.1\n', stderr: '' })
})

test('--help prints podinfo\'s usage on stderr and exits 0', () => {
  const result = run(['--help'])
  assert.equal(result.status, 0)
  assert.equal(result.stdout, '')
  assert.equal(result.stderr, helpText())
  assert.ok(result.stderr.startsWith('Usage of default:\n      --backend-url strings'))
})

test('an unknown flag or a bad value stops startup with exit 2 and one clear line', () => {
  const unknown = run(['--no-such-flag'])
  assert.equal(unknown.status, 2)
  assert.ok(unknown.stderr.startsWith('Error: unknown flag: --no-such-flag\n\n      --backend-url strings'))
  const bad = run(['--port=abc'])
  assert.equal(bad.status, 2)
  assert.ok(bad.stderr.startsWith('Error: invalid argument "abc" for "--port" flag: strconv.ParseInt: parsing "abc": invalid syntax\n'))
  const delay = run(['--random-delay-min=5', '--random-delay-max=1'])
  assert.equal(delay.status, 2)
  assert.match(delay.stderr, /`--random-delay-max` should be greater than `--random-delay-min`/)
})

test('a port already in use exits 1 with a fatal "HTTP server crashed" line', async (t) => {
  const first = await startPodinfo(t)
  const result = run([`--port=${first.port}`, '--host=127.0.0.1'])
  assert.equal(result.status, 1)
  const line = result.stderr.split('\n').find((l) => l.includes('HTTP server crashed'))
  assert.ok(line !== undefined, result.stderr)
  const entry = JSON.parse(line) as { level: string, error: string }
  assert.equal(entry.level, 'fatal')
  assert.match(entry.error, /EADDRINUSE/)
})

test('startup logs podinfo\'s lines with its field names', async (t) => {
  const podinfo = await startPodinfo(t, { env: { PODINFO_UI_COLOR: '#ff0000' } })
  const lines = podinfo.logLines()
  const starting = lines.find((line) => line.msg === 'Starting podinfo')
  assert.deepEqual({ ...starting, ts: undefined }, { level: 'info', ts: undefined, version: '6.14.1', revision: 'unknown', port: String(podinfo.port), msg: 'Starting podinfo' })
  assert.match(String(starting?.ts), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  assert.ok(lines.some((line) => line.msg === 'Starting HTTP Server.' && line.addr === `127.0.0.1:${podinfo.port}`))
  const info = await (await fetch(podinfo.url + '/api/info')).json() as { color: string }
  assert.equal(info.color, '#ff0000')
})

test('--unhealthy and --unready start with 503 probes; POST /readyz/enable recovers readiness', async (t) => {
  const podinfo = await startPodinfo(t, { args: ['--unhealthy', '--unready'], waitFor: '/version' })
  assert.equal((await fetch(podinfo.url + '/healthz')).status, 503)
  assert.equal((await fetch(podinfo.url + '/readyz')).status, 503)
  assert.equal((await fetch(podinfo.url + '/readyz/enable', { method: 'POST' })).status, 202)
  assert.equal((await fetch(podinfo.url + '/readyz')).status, 200)
  assert.equal((await fetch(podinfo.url + '/healthz')).status, 503)
})

test('Kubernetes service links (PODINFO_PORT=tcp://…, PODINFO_GRPC_PORT=tcp://…) do not stop startup', async (t) => {
  const podinfo = await startPodinfo(t, {
    env: { PODINFO_PORT: 'tcp://10.0.0.1:9898', PODINFO_GRPC_PORT: 'tcp://10.0.0.2:9999', PODINFO_SECURE_PORT: 'tcp://10.0.0.3:443' }
  })
  assert.equal((await fetch(podinfo.url + '/healthz')).status, 200)
})

test('the metrics port serves /metrics and an always-OK /healthz, unprefixed', async (t) => {
  const podinfo = await startPodinfo(t, { metrics: true, args: ['--prefix=/api/v1', '--unhealthy'], waitFor: '/api/v1/readyz' })
  const base = `http://127.0.0.1:${podinfo.metricsPort}`
  const health = await fetch(base + '/healthz')
  assert.equal(health.status, 200)
  assert.equal(health.headers.get('content-type'), 'text/plain; charset=utf-8')
  assert.equal(health.headers.get('content-length'), '2')
  assert.equal(await health.text(), 'OK')
  const redirect = await fetch(base + '/debug/pprof', { redirect: 'manual' })
  assert.equal(redirect.status, 301)
  assert.equal(redirect.headers.get('location'), '/debug/pprof/')
  const pprof = await fetch(base + '/debug/pprof/')
  assert.equal(pprof.status, 200)
  assert.equal(pprof.headers.get('content-type'), 'text/html; charset=utf-8')
  assert.equal(pprof.headers.get('x-content-type-options'), 'nosniff')
  assert.match(await pprof.text(), /Types of profiles available:/)
  assert.equal((await fetch(base + '/debug/pprof/heap')).status, 404)
  const metrics = await fetch(base + '/metrics')
  assert.equal(metrics.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8; escaping=underscores')
  assert.match(await metrics.text(), /^process_resident_memory_bytes \d+/m)
  const missing = await fetch(base + '/version')
  assert.equal(missing.status, 404)
  assert.equal(missing.headers.get('content-length'), '19')
  assert.equal(await missing.text(), '404 page not found\n')
})

test('--secure-port serves the same routes over TLS with h2 and http/1.1', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'podinfo-cert-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt')], { stdio: 'ignore' })
  const podinfo = await startPodinfo(t, { secure: true, args: [`--cert-path=${dir}`] })

  const h1 = await new Promise<{ status: number, body: string, alpn: string | false | null }>((resolve, reject) => {
    httpsRequest(`https://127.0.0.1:${podinfo.securePort}/version`, { rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] } as RequestOptions, (res) => {
      let body = ''
      const alpn = (res.socket as TLSSocket).alpnProtocol
      res.on('data', (chunk: Buffer) => { body += chunk.toString() })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, alpn }))
    }).on('error', reject).end()
  })
  assert.deepEqual(h1, { status: 200, body: '{\n  "commit": "unknown",\n  "version": "6.14.1"\n}', alpn: 'http/1.1' })

  const session = http2.connect(`https://127.0.0.1:${podinfo.securePort}`, { rejectUnauthorized: false })
  t.after(() => session.close())
  const h2 = await new Promise<{ status: number, body: string }>((resolve, reject) => {
    const stream = session.request({ ':path': '/version' })
    let status = 0
    let body = ''
    stream.on('response', (headers) => { status = Number(headers[':status']) })
    stream.on('data', (chunk: Buffer) => { body += chunk.toString() })
    stream.on('end', () => resolve({ status, body }))
    stream.on('error', reject)
  })
  assert.deepEqual(h2, { status: 200, body: '{\n  "commit": "unknown",\n  "version": "6.14.1"\n}' })
  assert.equal(session.alpnProtocol, 'h2')
})

test('--secure-port with missing certificates exits 1 with "HTTPS server crashed"', async (t) => {
  const port = await freePort()
  const securePort = await freePort()
  const result = run([`--port=${port}`, `--secure-port=${securePort}`, '--cert-path=/nonexistent', '--host=127.0.0.1'])
  assert.equal(result.status, 1)
  assert.match(result.stderr, /"level":"fatal".*"msg":"HTTPS server crashed"/)
})

test('--h2c: cleartext HTTP/2 by prior knowledge and HTTP/1.1 on the same port', async (t) => {
  const podinfo = await startPodinfo(t, { args: ['--h2c'] })
  assert.equal(await (await fetch(podinfo.url + '/version')).text(), '{\n  "commit": "unknown",\n  "version": "6.14.1"\n}')
  const session = http2.connect(podinfo.url)
  t.after(() => session.close())
  const result = await new Promise<{ status: number, body: string }>((resolve, reject) => {
    const stream = session.request({ ':path': '/api/echo', ':method': 'POST' })
    let status = 0
    let body = ''
    stream.on('response', (headers) => { status = Number(headers[':status']) })
    stream.on('data', (chunk: Buffer) => { body += chunk.toString() })
    stream.on('end', () => resolve({ status, body }))
    stream.on('error', reject)
    stream.end('over h2c')
  })
  assert.deepEqual(result, { status: 202, body: 'over h2c' })
})

test('without --h2c the HTTP port speaks HTTP/1.x only', async (t) => {
  const podinfo = await startPodinfo(t)
  const session = http2.connect(podinfo.url)
  const outcome = await new Promise<string>((resolve) => {
    session.on('error', () => resolve('error'))
    const stream = session.request({ ':path': '/version' })
    stream.on('error', () => resolve('error'))
    stream.on('response', () => resolve('response'))
  })
  session.destroy()
  assert.equal(outcome, 'error')
})

test('--stress-memory makes the memory resident; --stress-cpu starts burners', async (t) => {
  const podinfo = await startPodinfo(t, { args: ['--stress-memory=64', '--stress-cpu=1'] })
  const lines = podinfo.logLines()
  assert.ok(lines.some((line) => line.msg === 'starting CPU stress' && line.cores === 1))
  assert.ok(lines.some((line) => line.msg === 'starting MEMORY stress' && line.memory === 64_000_000))
  const metrics = await (await fetch(podinfo.url + '/metrics')).text()
  const rss = Number(/^process_resident_memory_bytes (\d+)/m.exec(metrics)?.[1])
  assert.ok(rss > 64_000_000, `RSS ${rss} includes the 64 MB held`)
})

test('bin/podinfo runs the compiled server in the same process (signals and exit codes are its own)', async (t) => {
  assert.ok(existsSync(DIST), 'dist/ is built (npm test builds it first)')
  const podinfo = await startPodinfo(t, { bin: true })
  assert.equal(await (await fetch(podinfo.url + '/version')).text(), '{\n  "commit": "unknown",\n  "version": "6.14.1"\n}')
  assert.equal(await podinfo.stop(), 0)
  const dist = await startPodinfo(t, { dist: true, args: ['--level=debug'] })
  assert.equal(await dist.stop('SIGINT'), 0)
})
