import { test } from 'node:test'
import assert from 'node:assert/strict'
import { gunzipSync } from 'node:zlib'
import { build } from '../helper.js'
import { startPodinfo } from '../process.js'
import { dechunk, get, header, parseResponses, rawExchange, type RawResponse } from '../raw-http.js'
import { Counter, Histogram, Registry } from 'prom-client'
import { goLabelOrder } from '../../lib/metrics.js'
import { BUCKETS, RequestMetrics } from '../../lib/request-metrics.js'

/** The body with any chunked framing removed (clients must not depend on either, spec §4.2). */
const bodyOf = (res: RawResponse): Buffer => header(res, 'transfer-encoding') === 'chunked' ? dechunk(res.body) : res.body

test('the histogram uses podinfo\'s buckets', () => {
  assert.deepEqual(BUCKETS, [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10])
})

test('RequestMetrics renders its series exactly as prom-client\'s own Histogram and Counter do, le last', async () => {
  const metrics = new RequestMetrics()
  const registry = new Registry()
  const histogram = new Histogram({ name: 'http_request_duration_seconds', help: 'Seconds spent serving HTTP requests.', labelNames: ['method', 'path', 'status'], buckets: BUCKETS, registers: [registry] })
  const counter = new Counter({ name: 'http_requests_total', help: 'The total number of HTTP requests.', labelNames: ['status'], registers: [registry] })
  const record = (method: string, path: string, status: number, seconds: number): void => {
    metrics.series(method, path, status).record(seconds)
    histogram.observe({ method, path, status: String(status) }, seconds)
    counter.inc({ status: String(status) })
  }
  assert.equal(metrics.text(), goLabelOrder(await registry.metrics()), 'no request yet')

  const ok = metrics.series('GET', 'version', 200)
  ok.record(0.003)
  histogram.observe({ method: 'GET', path: 'version', status: '200' }, 0.003)
  counter.inc({ status: '200' })
  record('GET', 'version', 200, 0.02)
  record('GET', 'version', 200, 12) // the same series, found again
  record('POST', 'echo', 202, 0.005) // a bound is inclusive (le)
  record('GET', 'a"quoted"\\path\n', 404, 0.1) // label values escaped as prom-client does
  const text = metrics.text()
  assert.equal(text, goLabelOrder(await registry.metrics()))

  const lines = text.split('\n')
  const le = (method: string, path: string, status: number, bound: string): string | undefined =>
    lines.find((l) => l.startsWith(`http_request_duration_seconds_bucket{method="${method}",path="${path}",status="${status}",le="${bound}"} `))?.split(' ')[1]
  assert.deepEqual(['0.005', '0.01', '0.025', '10', '+Inf'].map((b) => le('GET', 'version', 200, b)), ['1', '1', '2', '2', '3'])
  assert.equal(le('POST', 'echo', 202, '0.005'), '1')
  assert.equal(le('GET', 'a\\"quoted\\"\\\\path\\n', 404, '0.1'), '1')
  assert.ok(lines.includes('http_request_duration_seconds_sum{method="GET",path="version",status="200"} 12.023'))
  assert.ok(lines.includes('http_request_duration_seconds_count{method="GET",path="version",status="200"} 3'))
  assert.deepEqual(lines.filter((l) => l.startsWith('http_requests_total')), ['http_requests_total{status="200"} 3', 'http_requests_total{status="202"} 1', 'http_requests_total{status="404"} 1'])
  assert.ok(lines.includes('# TYPE http_request_duration_seconds histogram'))
  assert.ok(lines.includes('# TYPE http_requests_total counter'))
})

test('two apps in one process each get a fresh registry', async (t) => {
  const a = await build(t)
  const b = await build(t)
  await a.inject('/version')
  await b.inject('/version')
  const text = (await b.inject('/metrics')).body
  assert.match(text, /^http_request_duration_seconds_count\{method="GET",path="version",status="200"\} 1$/m)
})

test('the metrics port serves /metrics, /healthz and pprof, unprefixed and uncounted (real process)', async (t) => {
  const podinfo = await startPodinfo(t, { metrics: true, args: ['--prefix=/foo'], waitFor: '/foo/readyz' })
  const port = podinfo.metricsPort
  await fetch(`${podinfo.url}/foo/version`)

  const [metrics] = parseResponses((await rawExchange(port, get('/metrics'))).data)
  assert.ok(metrics !== undefined)
  assert.equal(metrics.status, 200)
  assert.equal(header(metrics, 'content-type'), 'text/plain; version=0.0.4; charset=utf-8; escaping=underscores')
  assert.match(metrics.body.toString(), /^http_request_duration_seconds_count\{method="GET",path="foo_version",status="200"\} 1$/m)

  const gz = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { 'accept-encoding': 'gzip' } })
  assert.equal(gz.headers.get('content-encoding'), 'gzip') // fetch decompresses for us
  assert.match(await gz.text(), /^# TYPE http_requests_total counter$/m)
  const raw = await rawExchange(port, get('/metrics', 'Accept-Encoding: gzip'))
  const [zipped] = parseResponses(raw.data)
  assert.ok(zipped !== undefined)
  assert.equal(header(zipped, 'content-encoding'), 'gzip')
  assert.match(gunzipSync(bodyOf(zipped)).toString(), /process_cpu_seconds_total/)

  const [healthz] = parseResponses((await rawExchange(port, get('/healthz'))).data)
  assert.equal(healthz?.status, 200)
  assert.equal(bodyOf(healthz!).toString(), 'OK')
  assert.equal(header(healthz!, 'content-type'), 'text/plain; charset=utf-8')

  const [pprof] = parseResponses((await rawExchange(port, get('/debug/pprof'))).data)
  assert.equal(pprof?.status, 301)
  assert.equal(header(pprof!, 'location'), '/debug/pprof/')

  for (const path of ['/foo/metrics', '/version', '/nothing']) {
    const [res] = parseResponses((await rawExchange(port, get(path))).data)
    assert.equal(res?.status, 404, path)
    assert.equal(bodyOf(res!).toString(), '404 page not found\n')
    assert.equal(header(res!, 'content-type'), 'text/plain; charset=utf-8')
    assert.equal(header(res!, 'x-content-type-options'), 'nosniff')
  }

  // requests on the metrics port are never counted in the HTTP metrics
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
  assert.doesNotMatch(text, /path="metrics"|path="healthz"/)
  assert.match(text, /^http_requests_total\{status="200"\} \d+$/m)
})

test('the metrics port /healthz stays 200 while the HTTP probes are down (real process)', async (t) => {
  const podinfo = await startPodinfo(t, { metrics: true, args: ['--unhealthy'], waitFor: false })
  const deadline = Date.now() + 20_000
  let status = 0
  while (Date.now() < deadline) {
    try {
      status = (await fetch(`http://127.0.0.1:${podinfo.metricsPort}/healthz`)).status
      if (status === 200) break
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  assert.equal(status, 200)
  assert.equal((await fetch(`${podinfo.url}/healthz`)).status, 503)
})
