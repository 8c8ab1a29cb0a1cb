import fp from 'fastify-plugin'
import fastifyMetrics from 'fastify-metrics'
import type { onResponseHookHandler } from 'fastify'
import { createExposition, type ExpositionAnswer } from '../lib/metrics.js'
import { muxTemplate, pathLabel } from '../lib/paths.js'
import { RequestMetrics, type RequestSeries } from '../lib/request-metrics.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Renders the registry for a scrape (lib/metrics.ts): `{P}/metrics` and the metrics port. */
    exposition: (acceptEncoding?: string) => Promise<ExpositionAnswer>
    /** Records one served request in podinfo's two HTTP series (also used by the WebSocket echo). */
    observeRequest: (method: string, path: string, status: number, seconds: number) => void
  }
  interface FastifyContextConfig {
    /** The metrics `path` label, computed once per route when it is registered. */
    pathLabel?: string
  }
}

/**
 * Prometheus metrics with podinfo's names and labels (spec §8): the
 * `http_request_duration_seconds{method,path,status}` histogram, the
 * `http_requests_total{status}` counter (kept and rendered by lib/request-metrics.ts), and the
 * default `process_*` and `nodejs_*` series with the registry and client from fastify-metrics;
 * lib/metrics.ts puts the two together. The exposition routes live in routes/metrics.ts and on
 * the metrics port (lib/metrics-server.ts).
 *
 * Each route gets its own `onResponse` hook when it is registered, with its `path` label
 * already worked out, so nothing is looked up per request but the series of the method and
 * status (kept from the previous request when they are the same). Unmatched requests
 * (301/404/405, served by the not-found handler) are never observed. The duration is
 * Fastify's `reply.elapsedTime`, measured from the moment the request reached the router.
 */
export default fp(async function metrics (app) {
  await app.register(fastifyMetrics.default, {
    endpoint: null,
    clearRegisterOnInit: true,
    defaultMetrics: { enabled: true },
    routeMetrics: { enabled: false }
  })
  // podinfo's HTTP series render themselves, after the default series and on every scrape; the
  // default series' rendering is reused for a moment (lib/metrics.ts).
  const requests = new RequestMetrics()
  app.decorate('exposition', createExposition(app.metrics.client.register, () => requests.text()))
  app.decorate('observeRequest', (method: string, path: string, status: number, seconds: number) => {
    requests.series(method, path, status).record(seconds)
  })

  const prefix = app.config.prefix === '/' ? '' : app.config.prefix
  app.addHook('onRoute', (route) => {
    const name = route.config?.metricsName
    const template = route.config?.muxTemplate === undefined ? muxTemplate(route.url) : prefix + route.config.muxTemplate
    const path = name ?? pathLabel(template)
    route.config = { ...route.config, pathLabel: path }
    let last: RequestSeries | undefined
    const observe: onResponseHookHandler = (request, reply, done) => {
      const method = request.method
      const status = reply.statusCode
      if (last === undefined || last.status !== status || last.method !== method) last = requests.series(method, path, status)
      last.record(reply.elapsedTime / 1000)
      done()
    }
    route.onResponse = [observe, ...[route.onResponse ?? []].flat()]
  })
}, { name: 'metrics' })
