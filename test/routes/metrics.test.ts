import { test } from 'node:test'
import assert from 'node:assert/strict'
import { gunzipSync } from 'node:zlib'
import type { FastifyInstance } from 'fastify'
import { build } from '../helper.js'
import { goLabelOrder } from '../../lib/metrics.js'

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8; escaping=underscores'
const BUCKETS = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf']

async function scrape (app: FastifyInstance): Promise<string> {
  const res = await app.inject('/metrics')
  assert.equal(res.statusCode, 200)
  return res.body
}

/** `path` label → the set of method/status pairs observed for it. */
function observed (text: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>()
  for (const m of text.matchAll(/^http_request_duration_seconds_count\{method="([^"]+)",path="([^"]+)",status="(\d+)"\} (\d+)$/gm)) {
    const set = out.get(m[2] as string) ?? new Set<string>()
    set.add(`${m[1] ?? ''} ${m[3] ?? ''}`)
    out.set(m[2] as string, set)
  }
  return out
}

function counter (text: string, status: string): number {
  const m = new RegExp(`^http_requests_total\\{status="${status}"\\} (\\d+)$`, 'm').exec(text)
  return m === null ? 0 : Number(m[1])
}

test('any method on /metrics answers the text exposition with podinfo\'s content type', async (t) => {
  const app = await build(t)
  for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'HEAD'] as const) {
    const res = await app.inject({ method, url: '/metrics', headers: { accept: 'application/openmetrics-text; version=1.0.0' } })
    assert.equal(res.statusCode, 200, method)
    assert.equal(res.headers['content-type'], CONTENT_TYPE, method)
    assert.equal(res.headers['content-encoding'], undefined)
  }
  const text = await scrape(app)
  assert.match(text, /^# HELP http_request_duration_seconds Seconds spent serving HTTP requests\.\n# TYPE http_request_duration_seconds histogram$/m)
  assert.match(text, /^# HELP http_requests_total The total number of HTTP requests\.\n# TYPE http_requests_total counter$/m)
  for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_virtual_memory_bytes', 'process_start_time_seconds', 'process_open_fds', 'process_max_fds']) {
    assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name)
  }
  assert.match(text, /^nodejs_/m)
  assert.doesNotMatch(text, /http_request_summary_seconds|status_code=|route=/)
})

test('Accept-Encoding: gzip compresses the exposition', async (t) => {
  const app = await build(t)
  const res = await app.inject({ url: '/metrics', headers: { 'accept-encoding': 'gzip, deflate' } })
  assert.equal(res.statusCode, 200)
  assert.equal(res.headers['content-encoding'], 'gzip')
  assert.equal(res.headers['content-type'], CONTENT_TYPE)
  assert.match(gunzipSync(res.rawPayload).toString(), /^# TYPE http_requests_total counter$/m)
  const plain = await app.inject({ url: '/metrics', headers: { 'accept-encoding': 'br' } })
  assert.equal(plain.headers['content-encoding'], undefined)
})

test('buckets are podinfo\'s, labels method/path/status in Go order, le last', async (t) => {
  const app = await build(t)
  await app.inject('/api/info')
  const text = await scrape(app)
  // Every bucket in order, le last; cumulative counts (how fast one request was is not ours
  // to assert: a cold first request on a busy machine may miss the smallest buckets).
  const counts = BUCKETS.map((le) => {
    const match = new RegExp(`^http_request_duration_seconds_bucket\\{method="GET",path="api_info",status="200",le="${le.replace('+', '\\+')}"\\} ([01])$`, 'm').exec(text)
    assert.ok(match !== null, `bucket le="${le}"`)
    return Number(match[1])
  })
  assert.deepEqual(counts, [...counts].sort((a, b) => a - b), 'cumulative buckets')
  assert.equal(counts.at(-1), 1, 'the +Inf bucket holds the request')
  assert.match(text, /^http_request_duration_seconds_sum\{method="GET",path="api_info",status="200"\} [0-9.e-]+$/m)
  assert.match(text, /^http_request_duration_seconds_count\{method="GET",path="api_info",status="200"\} 1$/m)
  assert.equal(goLabelOrder('x_bucket{le="1",a="b"} 2\ny{le="1"} 3'), 'x_bucket{a="b",le="1"} 2\ny{le="1"} 3')
})

test('every route of spec §6.0 is observed under its podinfo path label', async (t) => {
  const app = await build(t, {}, { argv: ['--http-server-timeout=13s'] })
  const hash = 'a'.repeat(40)
  // `/chunked` without a wait takes 10-11 s here (T = 13 s): runs while the others are sent
  const chunked = app.inject('/chunked')
  const calls: Array<[string, string, string, string]> = [
    ['GET', '/debug/pprof/', 'debug_pprof', '200'],
    ['GET', '/', 'root', '200'],
    ['GET', '/version', 'version', '200'],
    ['POST', '/echo', 'echo', '202'],
    ['DELETE', '/echo/a/b', 'echo', '202'],
    ['GET', '/env', 'env', '200'],
    ['POST', '/headers', 'headers', '200'],
    ['GET', '/delay/0', 'delay', '200'],
    ['GET', '/healthz', 'healthz', '200'],
    ['GET', '/readyz', 'readyz', '200'],
    ['POST', '/readyz/disable', 'readyz_disable', '202'],
    ['POST', '/readyz/enable', 'readyz_enable', '202'],
    ['POST', '/fault_injection/enable', 'fault_injection_enable', '202'],
    ['POST', '/fault_injection/disable', 'fault_injection_disable', '202'],
    ['GET', '/fault_injection/status', 'fault_injection_status', '200'],
    ['PUT', '/status/418', 'status', '418'],
    ['POST', '/store', 'store', '200'],
    ['GET', `/store/${hash}`, 'store', '200'],
    ['POST', '/cache/k', 'cache_key', '200'],
    ['DELETE', '/cache/k', 'cache_key', '200'],
    ['GET', '/cache/k', 'cache', '200'],
    ['GET', '/configs', 'configs', '200'],
    ['POST', '/token', 'token', '200'],
    ['GET', '/token/validate', 'token_validate', '200'],
    ['GET', '/api/info', 'api_info', '200'],
    ['PATCH', '/api/echo', 'api_echo', '202'],
    ['PATCH', '/api/echo/x', 'api_echo', '202'],
    ['GET', '/ws/echo', 'ws_echo', '400'],
    ['GET', '/chunked/0', 'chunked_wait_0_9', '200'],
    ['GET', '/swagger/index.html', 'swagger', '200'],
    ['POST', '/swagger.json', 'swagger_json', '200']
  ]
  for (const [method, url] of calls) await app.inject({ method: method as 'GET', url })
  await chunked
  await scrape(app)
  const seen = observed(await scrape(app))
  for (const [method, url, label, status] of calls) {
    assert.ok(seen.get(label)?.has(`${method} ${status}`), `${method} ${url} → ${label} ${status}; seen: ${JSON.stringify([...seen.get(label) ?? []])}`)
  }
  assert.ok(seen.get('chunked')?.has('GET 200'), 'GET /chunked → chunked')
  assert.ok(seen.get('metrics')?.has('GET 200'), '/metrics counts itself')
})

test('301, 404, 405 and /panic are not observed; a scrape shows up in the next scrape', async (t) => {
  const app = await build(t, {}, { exit: () => {} })
  const first = await scrape(app)
  assert.equal(counter(first, '200'), 0) // the first scrape is not in its own output
  assert.doesNotMatch(first, /path="metrics"/)
  await app.inject('/nothing')
  await app.inject({ method: 'POST', url: '/version' })
  await app.inject('//version')
  app.inject('/panic').catch(() => {}) // never answers
  await new Promise((resolve) => setTimeout(resolve, 50))
  const second = await scrape(app)
  assert.equal(counter(second, '200'), 1) // only the first scrape
  assert.equal(counter(second, '404'), 0)
  assert.equal(counter(second, '405'), 0)
  assert.equal(counter(second, '301'), 0)
  assert.doesNotMatch(second, /path="panic"/)
  assert.match(second, /^http_request_duration_seconds_count\{method="GET",path="metrics",status="200"\} 1$/m)
  await app.inject('/status/503')
  await app.inject({ method: 'POST', url: '/status/201' })
  const third = await scrape(app)
  assert.equal(counter(third, '200'), 2)
  assert.equal(counter(third, '503'), 1)
  assert.equal(counter(third, '201'), 1)
})

test('with --prefix=/foo unnamed routes carry the prefix in their label, named ones do not', async (t) => {
  const app = await build(t, {}, { argv: ['--prefix=/foo'] })
  const calls: Array<[string, string, string]> = [
    ['GET', '/foo', 'foo'],
    ['GET', '/foo/', 'foo'],
    ['GET', '/foo/api/info', 'foo_api_info'],
    ['GET', '/foo/chunked/0', 'foo_chunked_wait_0_9'],
    ['POST', '/foo/cache/k', 'foo_cache_key'],
    ['GET', '/foo/cache/k', 'cache'],
    ['GET', '/foo/delay/0', 'delay'],
    ['GET', '/foo/status/200', 'status'],
    ['GET', '/foo/version', 'foo_version'],
    ['POST', '/foo/echo/x', 'foo_echo'],
    ['GET', '/foo/debug/pprof/', 'foo_debug_pprof']
  ]
  for (const [method, url] of calls) await app.inject({ method: method as 'GET', url })
  const seen = observed((await app.inject('/foo/metrics')).body)
  for (const [method, url, label] of calls) {
    assert.ok([...seen.get(label) ?? []].some((s) => s.startsWith(method + ' ')), `${method} ${url} → ${label}; labels: ${[...seen.keys()].join(',')}`)
  }
  assert.equal(seen.has('root'), false)
})
