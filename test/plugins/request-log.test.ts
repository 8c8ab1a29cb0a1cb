import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import Fastify, { type FastifyBaseLogger } from 'fastify'
import fp from 'fastify-plugin'
import app from '../../app.js'
import { loadConfig } from '../../lib/config.js'
import { createLogger } from '../../lib/logger.js'
import { MuxRules } from '../../lib/router.js'
import { fastifyOptions } from '../../lib/server-options.js'

type Line = Record<string, unknown>

/** The real app on 127.0.0.1 with podinfo's logger writing into an array of parsed lines. */
async function serve (t: TestContext, argv: string[]): Promise<{ url: string, lines: Line[] }> {
  const config = loadConfig({}, argv, { hostname: 'log-test' })
  const lines: Line[] = []
  // createLogger's parameter is typed as pino's SonicBoom; any object with write() works.
  const sink = { write: (s: string) => { lines.push(JSON.parse(s) as Line); return true } }
  const log = createLogger(config.level, sink as unknown as Parameters<typeof createLogger>[1])
  const mux = new MuxRules()
  const server = Fastify({ ...fastifyOptions(config, mux), loggerInstance: log as FastifyBaseLogger })
  await server.register(fp(app), { config, mux, exit: () => { throw new Error('exit called') } })
  server.state.setHealthy(true)
  server.state.setReady(true)
  const url = await server.listen({ host: '127.0.0.1', port: 0 })
  t.after(() => server.close())
  return { url, lines }
}

const started = (lines: Line[]): Line[] => lines.filter((l) => l.msg === 'request started')

test('at debug, the request log line carries the X-Probe header so probes can be told apart', async (t) => {
  const { url, lines } = await serve(t, ['--level', 'debug'])
  for (const [path, probe] of [['/healthz', 'liveness'], ['/readyz', 'readiness'], ['/healthz', 'startup']]) {
    const res = await fetch(url + path + '?from=kubelet', { headers: { 'x-probe': probe as string, 'user-agent': 'kube-probe/1.34' } })
    assert.equal(res.status, 200)
  }
  const probes = started(lines)
  assert.deepEqual(probes.map((l) => [l.level, l.uri, l.probe]), [
    ['debug', '/healthz?from=kubelet', 'liveness'],
    ['debug', '/readyz?from=kubelet', 'readiness'],
    ['debug', '/healthz?from=kubelet', 'startup']
  ])
  const first = probes[0] as Line
  assert.equal(first.method, 'GET')
  assert.equal(first.proto, 'HTTP/1.1')
  assert.equal(first['user-agent'], 'kube-probe/1.34')
  assert.match(String(first.remote), /^127\.0\.0\.1:\d+$/)
})

test('without X-Probe the line has no probe field, and unmatched requests log nothing', async (t) => {
  const { url, lines } = await serve(t, ['--level', 'debug'])
  assert.equal((await fetch(url + '/version')).status, 200)
  assert.equal((await fetch(url + '/no-such-route', { headers: { 'x-probe': 'liveness' } })).status, 404)
  const logged = started(lines)
  assert.equal(logged.length, 1)
  assert.equal((logged[0] as Line).uri, '/version')
  assert.equal('probe' in (logged[0] as Line), false)
})

test('at info, only requests that carry X-Probe are logged, at info, without a request id', async (t) => {
  const { url, lines } = await serve(t, [])
  await fetch(url + '/healthz', { headers: { 'x-probe': 'liveness' } })
  await fetch(url + '/version')
  assert.deepEqual(started(lines).map((l) => [l.level, l.uri, l.probe]), [['info', '/healthz', 'liveness']])
  assert.equal('reqId' in (started(lines)[0] as Line), false)
})
