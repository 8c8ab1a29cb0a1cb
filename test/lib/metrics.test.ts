import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { gunzipSync } from 'node:zlib'
import { Gauge, Histogram, Registry } from 'prom-client'
import { createExposition, goLabelOrder, METRICS_CONTENT_TYPE } from '../../lib/metrics.js'
import { RequestMetrics } from '../../lib/request-metrics.js'

/** A runtime registry whose one gauge counts how often it was collected. */
function runtimeRegistry (): { registry: Registry, collected: () => number, failNext: () => void } {
  const registry = new Registry()
  let collected = 0
  let fail = false
  // eslint-disable-next-line no-new
  new Gauge({
    name: 'runtime_samples',
    help: 'How often the runtime series were collected.',
    registers: [registry],
    collect () {
      if (fail) {
        fail = false
        throw new Error('collector failed')
      }
      collected++
      this.set(collected)
    }
  })
  const lag = new Histogram({ name: 'runtime_lag_seconds', help: 'A histogram with a label.', labelNames: ['kind'], buckets: [0.1], registers: [registry] })
  lag.observe({ kind: 'minor' }, 0.05)
  return { registry, collected: () => collected, failNext: () => { fail = true } }
}

/** podinfo's request series, and a way to count one request in them. */
function requestSeries (): { text: () => string, count: () => void } {
  const metrics = new RequestMetrics()
  return { text: () => metrics.text(), count: () => { metrics.series('GET', 'version', 200).record(0.01) } }
}

test('the exposition is the runtime registry\'s rendering, le last, then the request series', async () => {
  const runtime = runtimeRegistry()
  const requests = requestSeries()
  requests.count()
  const exposition = createExposition(runtime.registry, requests.text)
  const { body, headers } = await exposition()
  const again = goLabelOrder(await runtime.registry.metrics()).replace(/^runtime_samples 2$/m, 'runtime_samples 1')
  assert.equal(String(body), again + '\n' + requests.text())
  assert.match(String(body), /^runtime_lag_seconds_bucket\{kind="minor",le="0.1"\} 1$/m)
  assert.deepEqual(headers, { 'content-type': METRICS_CONTENT_TYPE })

  // Scrapes that arrive together share one rendering, encoded once: the same bytes, not a copy each.
  const [one, two] = await Promise.all([exposition(), exposition()])
  assert.ok(Buffer.isBuffer(one.body))
  assert.equal(one.body, two.body)

  const zipped = await exposition('gzip, deflate')
  assert.equal(zipped.headers['content-encoding'], 'gzip')
  assert.match(gunzipSync(zipped.body).toString(), /^http_requests_total\{status="200"\} 1$/m)
})

test('the runtime series are sampled at most once per max age; the request series every time', async () => {
  const runtime = runtimeRegistry()
  const requests = requestSeries()
  const exposition = createExposition(runtime.registry, requests.text, 60_000)
  const first = String((await exposition()).body)
  requests.count()
  const second = String((await exposition()).body)
  assert.equal(runtime.collected(), 1, 'a second scrape within the max age reuses the runtime rendering')
  assert.match(first, /^runtime_samples 1$/m)
  assert.match(second, /^runtime_samples 1$/m)
  assert.doesNotMatch(first, /^http_requests_total/m)
  assert.match(second, /^http_requests_total\{status="200"\} 1$/m, 'a request counted before the scrape is in it')

  const short = createExposition(runtime.registry, requests.text, 20)
  await short()
  await sleep(40)
  const later = String((await short()).body)
  assert.equal(runtime.collected(), 3, 'after the max age the runtime series are collected again')
  assert.match(later, /^runtime_samples 3$/m)
})

test('a failed runtime rendering fails its scrapes and is not kept for the next', async () => {
  const runtime = runtimeRegistry()
  const requests = requestSeries()
  const exposition = createExposition(runtime.registry, requests.text, 60_000)
  runtime.failNext()
  await assert.rejects(exposition(), /collector failed/)
  const { body } = await exposition()
  assert.match(String(body), /^runtime_samples 1$/m)
})
